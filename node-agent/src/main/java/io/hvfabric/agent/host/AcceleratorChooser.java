package io.hvfabric.agent.host;

/** KVM only when the probe ran a standard guest on it; otherwise TCG. */
public final class AcceleratorChooser {
    public AcceleratorChoice choose(KvmProbeResult probe) {
        return new AcceleratorChoice(probe.usable() ? Accelerator.KVM : Accelerator.TCG, probe.detail());
    }
}
