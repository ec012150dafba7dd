package io.hvfabric.agent.host;

import static io.hvfabric.agent.host.KvmAbi.*;

import java.util.Locale;

/**
 * How the probe guest's first KVM_RUN ended, read from kvm_run.
 *
 * @param ioValue first byte at kvm_run + io.data_offset (only for KVM_EXIT_IO)
 * @param detailWord first word of the exit union: hardware entry failure reason, internal error suberror or MMIO
 *     address, depending on {@code reason}
 */
record KvmExit(int reason, int ioDirection, int ioSize, int ioPort, int ioValue, long detailWord) {

    static KvmExit io(int direction, int size, int port, int value) {
        return new KvmExit(KVM_EXIT_IO, direction, size, port, value, 0);
    }

    static KvmExit other(int reason, long detailWord) {
        return new KvmExit(reason, 0, 0, 0, 0, detailWord);
    }

    /** True only for the exit the probe guest produces when it ran in 64-bit mode. */
    boolean isExpectedOut() {
        return reason == KVM_EXIT_IO
                && ioDirection == KVM_EXIT_IO_OUT
                && ioSize == 1
                && ioPort == LongModeGuest.EXPECTED_PORT
                && ioValue == LongModeGuest.EXPECTED_VALUE;
    }

    /** What happened, in words an operator can act on. */
    String describe(boolean pvmHost) {
        String what = switch (reason) {
            case KVM_EXIT_IO -> isExpectedOut()
                    ? String.format(Locale.ROOT, "64-bit guest wrote 0x%02x to port 0x%x (KVM_EXIT_IO)", ioValue,
                            ioPort)
                    : String.format(Locale.ROOT, "64-bit guest made an unexpected I/O exit (KVM_EXIT_IO %s port 0x%x"
                            + " size %d value 0x%02x; expected OUT 0x%02x to port 0x%x)",
                            ioDirection == KVM_EXIT_IO_OUT ? "OUT" : "IN", ioPort, ioSize, ioValue,
                            LongModeGuest.EXPECTED_VALUE, LongModeGuest.EXPECTED_PORT);
            case KVM_EXIT_SHUTDOWN -> "64-bit guest triple-faulted (KVM_EXIT_SHUTDOWN)";
            case KVM_EXIT_HLT -> "64-bit guest halted without its port write (KVM_EXIT_HLT)";
            case KVM_EXIT_FAIL_ENTRY -> String.format(Locale.ROOT,
                    "VM entry failed (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x)", detailWord);
            case KVM_EXIT_INTERNAL_ERROR -> "KVM internal error (KVM_EXIT_INTERNAL_ERROR, suberror "
                    + (detailWord & 0xFFFFFFFFL) + ")";
            case KVM_EXIT_MMIO -> String.format(Locale.ROOT,
                    "64-bit guest touched unbacked memory (KVM_EXIT_MMIO at 0x%x)", detailWord);
            case KVM_EXIT_EXCEPTION -> "64-bit guest raised an exception (KVM_EXIT_EXCEPTION)";
            default -> "64-bit guest stopped with unexpected exit reason " + reason;
        };
        if (isExpectedOut() || !pvmHost) {
            return what;
        }
        return what + ": " + KvmProbe.PVM_NOTE;
    }
}
