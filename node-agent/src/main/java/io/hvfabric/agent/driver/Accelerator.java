package io.hvfabric.agent.driver;

import java.util.Locale;

/** How QEMU executes guest code. The host probe decides which one a node can use. */
public enum Accelerator {
    /** Hardware virtualization through /dev/kvm. */
    KVM("kvm"),
    /** QEMU's software emulator: slow but runs anywhere, including nested PVM hosts. */
    TCG("tcg");

    private final String qemuName;

    Accelerator(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The name QEMU's {@code -accel} option takes. */
    public String qemuName() {
        return qemuName;
    }

    public static Accelerator parse(String value) {
        for (Accelerator a : values()) {
            if (a.qemuName.equals(value == null ? null : value.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("accelerator must be one of kvm, tcg; got '" + value + "'");
    }
}
