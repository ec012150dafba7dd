package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KvmExitTest {

    @Test
    void outOfTheExpectedByteIsUsable() {
        KvmExit exit = KvmExit.io(1, 1, 0xE9, 0x5A);
        assertThat(exit.isExpectedOut()).isTrue();
        assertThat(exit.describe(true)).contains("0x5a").contains("port 0xe9").doesNotContain("kvm_pvm");
    }

    @Test
    void wrongValuePortOrDirectionIsNot() {
        assertThat(KvmExit.io(1, 1, 0xE9, 0x00).isExpectedOut()).isFalse();
        assertThat(KvmExit.io(1, 1, 0x80, 0x5A).isExpectedOut()).isFalse();
        assertThat(KvmExit.io(0, 1, 0xE9, 0x5A).isExpectedOut()).isFalse();
        assertThat(KvmExit.io(1, 2, 0xE9, 0x5A).isExpectedOut()).isFalse();
        assertThat(KvmExit.io(0, 1, 0xE9, 0x5A).describe(false)).contains("unexpected I/O exit").contains("IN");
    }

    @Test
    void tripleFaultOnPvmHostNamesPvm() {
        KvmExit exit = KvmExit.other(8, 0);
        assertThat(exit.isExpectedOut()).isFalse();
        assertThat(exit.describe(true))
                .isEqualTo("64-bit guest triple-faulted (KVM_EXIT_SHUTDOWN): " + KvmProbe.PVM_NOTE);
        assertThat(exit.describe(false)).isEqualTo("64-bit guest triple-faulted (KVM_EXIT_SHUTDOWN)");
    }

    @Test
    void otherExitsAreNamed() {
        assertThat(KvmExit.other(9, 0x80000021L).describe(false)).contains("KVM_EXIT_FAIL_ENTRY").contains("0x80000021");
        assertThat(KvmExit.other(17, 1).describe(false)).contains("KVM_EXIT_INTERNAL_ERROR").contains("suberror 1");
        assertThat(KvmExit.other(5, 0).describe(false)).contains("KVM_EXIT_HLT");
        assertThat(KvmExit.other(6, 0x200000).describe(false)).contains("KVM_EXIT_MMIO at 0x200000");
        assertThat(KvmExit.other(42, 0).describe(false)).contains("exit reason 42");
    }
}
