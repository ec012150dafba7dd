package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AcceleratorChooserTest {
    private static final KvmProbeResult PROBE_PASSES = new KvmProbeResult(true, 12, 1024, true, "ran to KVM_EXIT_IO");
    private static final KvmProbeResult PROBE_FAILS = new KvmProbeResult(true, 12, 1024, false, "triple fault");
    private static final BootCheckResult BOOTED =
            new BootCheckResult(true, "serial console printed 'Linux version 6.1'", 420, false);
    private static final BootCheckResult SPINS =
            new BootCheckResult(false, "no kernel output on the serial console within 10000 ms", 10000, false);

    private final AcceleratorChooser chooser = new AcceleratorChooser();
    private final AtomicInteger boots = new AtomicInteger();

    private Supplier<Optional<BootCheckResult>> boot(BootCheckResult result) {
        return () -> {
            boots.incrementAndGet();
            return Optional.ofNullable(result);
        };
    }

    @Test
    void kvmIsChosenOnlyWhenTheProbePassesAndAKernelBoots() {
        AcceleratorChoice choice = chooser.choose(AccelMode.AUTO, PROBE_PASSES, false, boot(BOOTED));
        assertThat(choice.accelerator()).isEqualTo(Accelerator.KVM);
        assertThat(choice.bootVerified()).isTrue();
        assertThat(choice.reason()).contains("Linux version").contains("420 ms");
    }

    @Test
    void pvmHostWhoseProbePassesButWhoseKernelSpinsGetsTcgAndIsNamed() {
        AcceleratorChoice choice = chooser.choose(AccelMode.AUTO, PROBE_PASSES, true, boot(SPINS));
        assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(choice.bootVerified()).isFalse();
        assertThat(choice.pvm()).isTrue();
        assertThat(choice.reason()).startsWith("TCG: the ioctl probe passed").contains("did not boot")
                .contains("kvm_pvm");
    }

    @Test
    void failedProbeGetsTcgWithoutBootingAnything() {
        AcceleratorChoice choice = chooser.choose(AccelMode.AUTO, PROBE_FAILS, false, boot(BOOTED));
        assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(choice.reason()).isEqualTo("TCG: ioctl probe: triple fault");
        assertThat(boots).hasValue(0);
    }

    @Test
    void noKernelToBootMeansKvmIsNotConfirmed() {
        AcceleratorChoice choice = chooser.choose(AccelMode.AUTO, PROBE_PASSES, false, boot(null));
        assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(choice.reason()).contains("no guest kernel");
    }

    @Test
    void forcedTcgNeitherProbesNorBoots() {
        AcceleratorChoice choice = chooser.choose(AccelMode.TCG, PROBE_PASSES, false, boot(BOOTED));
        assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(choice.reason()).isEqualTo("forced by --accel tcg");
        assertThat(boots).hasValue(0);
    }

    @Test
    void forcedKvmIsRefusedWithOneLineWhenTheKernelDoesNotBoot() {
        assertThatThrownBy(() -> chooser.choose(AccelMode.KVM, PROBE_PASSES, true, boot(SPINS)))
                .isInstanceOfSatisfying(FabricException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).startsWith("--accel kvm refused").contains("did not boot")
                            .doesNotContain("\n");
                });
        assertThatThrownBy(() -> chooser.choose(AccelMode.KVM, PROBE_FAILS, false, boot(BOOTED)))
                .hasMessageContaining("triple fault");
    }

    @Test
    void forcedKvmThatBootsSaysItWasConfirmed() {
        AcceleratorChoice choice = chooser.choose(AccelMode.KVM, PROBE_PASSES, false, boot(BOOTED));
        assertThat(choice.accelerator()).isEqualTo(Accelerator.KVM);
        assertThat(choice.reason()).startsWith("--accel kvm, confirmed");
    }

    @Test
    void modeParsesTheFlagAndNamesItWhenWrong() {
        assertThat(AccelMode.parse("auto")).isEqualTo(AccelMode.AUTO);
        assertThatThrownBy(() -> AccelMode.parse("hvf")).hasMessageContaining("--accel")
                .hasMessageContaining("auto, kvm or tcg");
    }
}
