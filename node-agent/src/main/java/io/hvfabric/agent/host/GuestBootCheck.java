package io.hvfabric.agent.host;

/**
 * Boots a standard guest kernel under KVM with a short bound and reports whether it showed life. The ioctl probe
 * ({@link KvmProbe}) cannot tell: kvm_pvm runs a minimal long-mode guest to its exit, yet a Linux kernel spins.
 */
@FunctionalInterface
public interface GuestBootCheck {
    BootCheckResult bootUnderKvm();
}
