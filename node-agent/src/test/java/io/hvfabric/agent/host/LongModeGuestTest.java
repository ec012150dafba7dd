package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks the probe guest as the CPU would see it: walks its page tables, decodes its GDT, and reads the sregs/regs
 * buffers at the offsets offsetof gives for linux/kvm.h on x86_64 (numbers written out, not taken from KvmAbi).
 */
@Timeout(10)
class LongModeGuestTest {
    private static final long ADDRESS_MASK = 0x000F_FFFF_FFFF_F000L;
    private static final long LARGE_PAGE_MASK = 0x000F_FFFF_FFE0_0000L;

    private final ByteBuffer memory = ByteBuffer.wrap(LongModeGuest.memoryImage()).order(ByteOrder.LITTLE_ENDIAN);

    @Test
    void everyGuestAddressIsIdentityMapped() {
        for (long virt = 0; virt < LongModeGuest.MEMORY_SIZE; virt += 0x800) {
            assertThat(translate(LongModeGuest.PML4_ADDR, virt)).as("virt 0x%x", virt).isEqualTo(virt);
        }
    }

    @Test
    void codeSegmentDescriptorIsPresent64BitCode() {
        long code = memory.getLong((int) LongModeGuest.GDT_ADDR + LongModeGuest.CODE_SELECTOR);
        int access = (int) (code >>> 40) & 0xFF;
        int flags = (int) (code >>> 52) & 0xF;
        assertThat(access & 0x80).as("present").isNotZero();
        assertThat(access & 0x60).as("DPL 0").isZero();
        assertThat(access & 0x10).as("code/data").isNotZero();
        assertThat(access & 0x08).as("executable").isNotZero();
        assertThat(flags & 0x2).as("L").isNotZero();
        assertThat(flags & 0x4).as("D must be 0 with L").isZero();
        assertThat(access & 0x0F).isEqualTo(0xB);
    }

    @Test
    void dataSegmentDescriptorIsPresentWritableData() {
        long data = memory.getLong((int) LongModeGuest.GDT_ADDR + LongModeGuest.DATA_SELECTOR);
        int access = (int) (data >>> 40) & 0xFF;
        assertThat(access & 0x80).isNotZero();
        assertThat(access & 0x08).as("not executable").isZero();
        assertThat(access & 0x02).as("writable").isNotZero();
        assertThat(memory.getLong((int) LongModeGuest.GDT_ADDR)).as("null descriptor").isZero();
        assertThat(LongModeGuest.GDT_LIMIT).isGreaterThanOrEqualTo(LongModeGuest.DATA_SELECTOR + 7);
    }

    @Test
    void codeIsTheLongModePortWrite() {
        byte[] expected = {
            0x48, (byte) 0xB8, 0, 0, 0, 0, 0, 0, 0, 0x5A, 0x48, (byte) 0xC1, (byte) 0xE8, 0x38, (byte) 0xE6,
            (byte) 0xE9, (byte) 0xF4
        };
        byte[] image = memory.array();
        int entry = (int) LongModeGuest.CODE_ADDR;
        assertThat(Arrays.copyOfRange(image, entry, entry + expected.length)).isEqualTo(expected);
        assertThat(LongModeGuest.EXPECTED_PORT).isEqualTo(0xE9);
        assertThat(LongModeGuest.EXPECTED_VALUE).isEqualTo(0x5A);
    }

    @Test
    void sregsPutTheVcpuInLongModeAndKeepTaskRegister() {
        byte[] raw = new byte[312];
        Arrays.fill(raw, 144, 168, (byte) 0x7E); // tr as KVM reset it
        ByteBuffer sregs = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        LongModeGuest.applySregs(sregs);

        // cs at 0: base@0 limit@8 selector@12 type@14 present@15 dpl@16 db@17 s@18 l@19 g@20
        assertThat(sregs.getLong(0)).isZero();
        assertThat(sregs.getInt(8)).isEqualTo(0xFFFFFFFF);
        assertThat(sregs.getShort(12)).isEqualTo((short) 0x08);
        assertThat(raw[14]).isEqualTo((byte) 0xB);
        assertThat(raw[15]).isEqualTo((byte) 1);
        assertThat(raw[17]).as("cs.db").isEqualTo((byte) 0);
        assertThat(raw[19]).as("cs.l").isEqualTo((byte) 1);
        for (int seg : new int[] {24, 48, 72, 96, 120}) { // ds es fs gs ss
            assertThat(sregs.getShort(seg + 12)).isEqualTo((short) 0x10);
            assertThat(raw[seg + 14]).isEqualTo((byte) 3);
            assertThat(raw[seg + 15]).isEqualTo((byte) 1);
            assertThat(raw[seg + 19]).as("l").isEqualTo((byte) 0);
        }
        for (int i = 144; i < 168; i++) {
            assertThat(raw[i]).as("tr byte %d untouched", i).isEqualTo((byte) 0x7E);
        }
        assertThat(sregs.getLong(192)).as("gdt.base").isEqualTo(LongModeGuest.GDT_ADDR);
        assertThat(sregs.getShort(200)).as("gdt.limit").isEqualTo((short) 23);
        long cr0 = sregs.getLong(224);
        assertThat(cr0 & 1).as("CR0.PE").isEqualTo(1);
        assertThat(cr0 >>> 31 & 1).as("CR0.PG").isEqualTo(1);
        assertThat(sregs.getLong(240)).as("cr3").isEqualTo(LongModeGuest.PML4_ADDR);
        assertThat(sregs.getLong(248) & 0x20).as("CR4.PAE").isEqualTo(0x20);
        assertThat(sregs.getLong(264)).as("EFER.LME|LMA").isEqualTo(0x500);
    }

    @Test
    void regsStartAtTheCodeWithReservedFlagBit() {
        ByteBuffer regs = LongModeGuest.regs();
        assertThat(regs.capacity()).isEqualTo(144);
        assertThat(regs.getLong(128)).as("rip").isEqualTo(LongModeGuest.CODE_ADDR);
        assertThat(regs.getLong(136)).as("rflags").isEqualTo(2);
        assertThat(regs.getLong(48)).as("rsp").isEqualTo(LongModeGuest.MEMORY_SIZE);
    }

    /** A 4-level walk as the MMU does it: PML4 -> PDPT -> PD (2 MiB page). */
    private long translate(long cr3, long virt) {
        long pml4e = entry(cr3, (virt >>> 39) & 0x1FF);
        long pdpte = entry(pml4e & ADDRESS_MASK, (virt >>> 30) & 0x1FF);
        assertThat(pdpte & 0x80).as("PDPTE is not a 1 GiB page here").isZero();
        long pde = entry(pdpte & ADDRESS_MASK, (virt >>> 21) & 0x1FF);
        assertThat(pde & 0x80).as("PDE maps a 2 MiB page").isNotZero();
        return (pde & LARGE_PAGE_MASK) | (virt & 0x1F_FFFF);
    }

    private long entry(long table, long index) {
        assertThat(table + index * 8).isLessThan(LongModeGuest.MEMORY_SIZE);
        long e = memory.getLong((int) (table + index * 8));
        assertThat(e & 1).as("present entry in table 0x%x", table).isEqualTo(1);
        assertThat(e & 2).as("writable").isEqualTo(2);
        return e;
    }
}
