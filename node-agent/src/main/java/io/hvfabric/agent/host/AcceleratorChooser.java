package io.hvfabric.agent.host;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.common.error.FabricException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * KVM only when a standard guest kernel boots under it on this host; otherwise TCG. The ioctl probe is the fast
 * first gate (no /dev/kvm, a wrong API version or a guest that faults rule KVM out in milliseconds); booting the real
 * kernel is the proof, because kvm_pvm passes the probe and still cannot run a standard kernel. A forced
 * {@code --accel kvm} that the evidence contradicts is refused rather than starting guests that never boot.
 */
public final class AcceleratorChooser {
    /**
     * @param bootCheck boots a guest kernel under KVM; empty when there is no kernel to boot
     */
    public AcceleratorChoice choose(AccelMode mode, KvmProbeResult probe, boolean pvm,
                                    Supplier<Optional<BootCheckResult>> bootCheck) {
        String pvmNote = pvm ? " (kvm_pvm host: it runs only guests built for PVM)" : "";
        if (mode == AccelMode.TCG) {
            return new AcceleratorChoice(Accelerator.TCG, mode, pvm, false, "forced by --accel tcg" + pvmNote);
        }
        if (!probe.usable()) {
            return tcgOrRefuse(mode, pvm, "ioctl probe: " + probe.detail());
        }
        Optional<BootCheckResult> boot = bootCheck.get();
        if (boot.isEmpty()) {
            return tcgOrRefuse(mode, pvm, "the ioctl probe passed but no guest kernel is at hand to confirm that"
                    + " a standard kernel boots under KVM" + pvmNote);
        }
        if (!boot.get().booted()) {
            return tcgOrRefuse(mode, pvm, "the ioctl probe passed but a standard kernel "
                    + boot.get().describe() + pvmNote);
        }
        return new AcceleratorChoice(Accelerator.KVM, mode, pvm, true,
                (mode == AccelMode.KVM ? "--accel kvm, confirmed: " : "")
                        + "ioctl probe passed and a standard kernel " + boot.get().describe());
    }

    private static AcceleratorChoice tcgOrRefuse(AccelMode mode, boolean pvm, String why) {
        if (mode == AccelMode.KVM) {
            throw FabricException.failedPrecondition("--accel kvm refused: KVM cannot run standard guests here: %s",
                    why);
        }
        return new AcceleratorChoice(Accelerator.TCG, mode, pvm, false, "TCG: " + why);
    }
}
