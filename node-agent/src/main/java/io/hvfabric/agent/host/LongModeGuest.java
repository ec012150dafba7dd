package io.hvfabric.agent.host;

import static io.hvfabric.agent.host.KvmAbi.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The smallest standard 64-bit guest: identity-mapped 4-level page tables (one 2 MiB page), a GDT with a 64-bit
 * code segment, and code that only works in long mode: {@code mov rax, 0x5A00000000000000; shr rax, 56;
 * out 0xE9, al; hlt}. Real or protected mode would decode the REX prefix as {@code dec eax} and never write 0x5A.
 *
 * <p>Pure data: builds the guest's memory image and the register state; {@link KvmProbe} loads them into KVM.
 */
final class LongModeGuest {
    static final int MEMORY_SIZE = 0x8000;
    static final long PML4_ADDR = 0x1000;
    static final long PDPT_ADDR = 0x2000;
    static final long PD_ADDR = 0x3000;
    static final long GDT_ADDR = 0x4000;
    static final long CODE_ADDR = 0x6000;
    static final long STACK_TOP = MEMORY_SIZE;

    static final int EXPECTED_PORT = 0xE9;
    static final int EXPECTED_VALUE = 0x5A;

    static final int CODE_SELECTOR = 0x08;
    static final int DATA_SELECTOR = 0x10;

    static final long PTE_PRESENT = 1L;
    static final long PTE_WRITABLE = 1L << 1;
    static final long PDE_LARGE_PAGE = 1L << 7;

    // flat code segment: G=1, L=1, D=0, P=1, DPL=0, S=1, type=0xB (execute/read, accessed)
    static final long GDT_CODE64 = 0x00AF9B000000FFFFL;
    // flat data segment: G=1, D/B=1, P=1, DPL=0, S=1, type=0x3 (read/write, accessed)
    static final long GDT_DATA = 0x00CF93000000FFFFL;
    static final int GDT_LIMIT = 3 * 8 - 1;

    static final long CR0_PE = 1L;
    static final long CR0_MP = 1L << 1;
    static final long CR0_ET = 1L << 4;
    static final long CR0_NE = 1L << 5;
    static final long CR0_WP = 1L << 16;
    static final long CR0_AM = 1L << 18;
    static final long CR0_PG = 1L << 31;
    static final long CR4_PAE = 1L << 5;
    static final long EFER_LME = 1L << 8;
    static final long EFER_LMA = 1L << 10;
    static final long RFLAGS_RESERVED = 0x2;

    static final byte[] CODE = {
        0x48, (byte) 0xB8, 0, 0, 0, 0, 0, 0, 0, (byte) EXPECTED_VALUE, // mov rax, 0x5A00000000000000
        0x48, (byte) 0xC1, (byte) 0xE8, 0x38, // shr rax, 56
        (byte) 0xE6, (byte) EXPECTED_PORT, // out 0xE9, al
        (byte) 0xF4, // hlt
    };

    private LongModeGuest() {}

    /** Guest physical memory from address 0: page tables, GDT and code. */
    static byte[] memoryImage() {
        ByteBuffer mem = ByteBuffer.allocate(MEMORY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        mem.putLong((int) PML4_ADDR, PDPT_ADDR | PTE_PRESENT | PTE_WRITABLE);
        mem.putLong((int) PDPT_ADDR, PD_ADDR | PTE_PRESENT | PTE_WRITABLE);
        mem.putLong((int) PD_ADDR, 0L | PTE_PRESENT | PTE_WRITABLE | PDE_LARGE_PAGE); // 0..2 MiB -> 0..2 MiB
        mem.putLong((int) GDT_ADDR + 8, GDT_CODE64);
        mem.putLong((int) GDT_ADDR + 16, GDT_DATA);
        mem.put((int) CODE_ADDR, CODE);
        return mem.array();
    }

    /**
     * Turns the vCPU's reset-state sregs (from KVM_GET_SREGS, so TR, LDT, IDT and APIC base keep KVM's defaults)
     * into long mode with paging.
     */
    static void applySregs(ByteBuffer sregs) {
        sregs.order(ByteOrder.LITTLE_ENDIAN);
        putSegment(sregs, SREGS_CS, CODE_SELECTOR, 0xB, 0, 1);
        for (int offset : new int[] {SREGS_DS, SREGS_ES, SREGS_FS, SREGS_GS, SREGS_SS}) {
            putSegment(sregs, offset, DATA_SELECTOR, 0x3, 1, 0);
        }
        sregs.putLong(SREGS_GDT + DTABLE_BASE, GDT_ADDR);
        sregs.putShort(SREGS_GDT + DTABLE_LIMIT, (short) GDT_LIMIT);
        sregs.putLong(SREGS_CR0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG);
        sregs.putLong(SREGS_CR3, PML4_ADDR);
        sregs.putLong(SREGS_CR4, CR4_PAE);
        sregs.putLong(SREGS_EFER, EFER_LME | EFER_LMA);
    }

    /** General registers: entry point, a stack, and RFLAGS with only its always-one bit. */
    static ByteBuffer regs() {
        ByteBuffer regs = ByteBuffer.allocate(REGS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        regs.putLong(REGS_RSP, STACK_TOP);
        regs.putLong(REGS_RIP, CODE_ADDR);
        regs.putLong(REGS_RFLAGS, RFLAGS_RESERVED);
        return regs;
    }

    private static void putSegment(ByteBuffer sregs, int offset, int selector, int type, int db, int longMode) {
        sregs.putLong(offset + SEG_BASE, 0);
        sregs.putInt(offset + SEG_LIMIT, 0xFFFFFFFF);
        sregs.putShort(offset + SEG_SELECTOR, (short) selector);
        sregs.put(offset + SEG_TYPE, (byte) type);
        sregs.put(offset + SEG_PRESENT, (byte) 1);
        sregs.put(offset + SEG_DPL, (byte) 0);
        sregs.put(offset + SEG_DB, (byte) db);
        sregs.put(offset + SEG_S, (byte) 1);
        sregs.put(offset + SEG_L, (byte) longMode);
        sregs.put(offset + SEG_G, (byte) 1);
        sregs.put(offset + SEG_AVL, (byte) 0);
        sregs.put(offset + SEG_UNUSABLE, (byte) 0);
    }
}
