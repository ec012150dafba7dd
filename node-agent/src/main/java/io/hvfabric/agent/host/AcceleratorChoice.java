package io.hvfabric.agent.host;

import io.hvfabric.agent.driver.Accelerator;
import java.util.Objects;

/**
 * The accelerator the agent will use and the evidence for it.
 *
 * @param accelerator what the host's guests run on
 * @param mode the configured {@code --accel}
 * @param pvm /dev/kvm is served by kvm_pvm
 * @param bootVerified a standard guest kernel booted under KVM here (now or in the cached check)
 * @param reason one line an operator reads in {@code hvctl host show}
 */
public record AcceleratorChoice(Accelerator accelerator, AccelMode mode, boolean pvm, boolean bootVerified,
                                String reason) {
    public AcceleratorChoice {
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reason, "reason");
        if (bootVerified && accelerator != Accelerator.KVM) {
            throw new IllegalArgumentException("bootVerified applies to KVM only");
        }
    }
}
