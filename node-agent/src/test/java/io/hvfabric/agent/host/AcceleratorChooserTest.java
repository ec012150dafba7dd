package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AcceleratorChooserTest {
    private final AcceleratorChooser chooser = new AcceleratorChooser();

    @Test
    void usableKvmIsChosen() {
        AcceleratorChoice choice = chooser.choose(new KvmProbeResult(true, 12, 1024, true, "ran"));
        assertThat(choice).isEqualTo(new AcceleratorChoice(Accelerator.KVM, "ran"));
        assertThat(choice.accelerator().qemuName()).isEqualTo("kvm");
    }

    @Test
    void presentButUnusableKvmFallsBackToTcg() {
        AcceleratorChoice choice = chooser.choose(new KvmProbeResult(true, 12, 1024, false, "triple fault"));
        assertThat(choice).isEqualTo(new AcceleratorChoice(Accelerator.TCG, "triple fault"));
        assertThat(choice.accelerator().qemuName()).isEqualTo("tcg");
    }

    @Test
    void absentKvmFallsBackToTcg() {
        assertThat(chooser.choose(new KvmProbeResult(false, 0, 0, false, "no /dev/kvm")).accelerator())
                .isEqualTo(Accelerator.TCG);
    }
}
