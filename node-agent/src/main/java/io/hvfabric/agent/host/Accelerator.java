package io.hvfabric.agent.host;

/** What the host's guests run on. */
public enum Accelerator {
    /** Hardware virtualization through /dev/kvm. */
    KVM("kvm"),
    /** QEMU's binary translator: slower, runs anywhere. */
    TCG("tcg");

    private final String qemuName;

    Accelerator(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The value for QEMU's {@code -accel} and for the Host/HostCapabilities accelerator field. */
    public String qemuName() {
        return qemuName;
    }
}
