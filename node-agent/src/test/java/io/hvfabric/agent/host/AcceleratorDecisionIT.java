package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole accelerator decision on this machine, whatever it has (no /dev/kvm, kvm_pvm, real KVM): the accelerator
 * it chooses must boot the image's kernel, and a forced {@code kvm} is refused exactly when auto would not choose it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AcceleratorDecisionIT {
    private static final Path IMAGE_DIR = Path.of(System.getenv().getOrDefault("HVF_IMAGE_DIR",
            "/var/cache/hvfabric/images"));
    private static String kernelRelease;

    @TempDir
    Path cache;

    @BeforeAll
    static void needsTheImage() throws Exception {
        assertThat(IMAGE_DIR.resolve("default/vmlinuz")).as("default image (images/build-image)").isRegularFile();
        kernelRelease = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    }

    private AcceleratorDecider.Decision decide(AccelMode mode) {
        return new AcceleratorDecider().decide(new AcceleratorDecider.Inputs(mode, IMAGE_DIR, cache, kernelRelease,
                "it", VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE, Duration.ofSeconds(10)));
    }

    @Test
    void theChosenAcceleratorBootsTheImageKernelAndForcingKvmAgreesWithTheChoice() {
        AcceleratorChoice auto = decide(AccelMode.AUTO).choice();
        System.out.println("auto: " + auto);
        assertThat(auto.reason()).isNotBlank();
        if (Files.exists(Path.of("/sys/module/kvm_pvm"))) {
            assertThat(auto.pvm()).isTrue();
        }

        BootCheckResult boot = new QemuBootCheck("qemu-system-x86_64",
                BootKernel.find(IMAGE_DIR, kernelRelease).orElseThrow(), VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE, Duration.ofSeconds(60)).boot(auto.accelerator());
        assertThat(boot.booted()).as("the image kernel under the chosen %s: %s", auto.accelerator(), boot.describe())
                .isTrue();

        if (auto.accelerator() == Accelerator.TCG) {
            assertThatThrownBy(() -> decide(AccelMode.KVM))
                    .isInstanceOfSatisfying(FabricException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
                        assertThat(e.getMessage()).startsWith("--accel kvm refused").doesNotContain("\n");
                    });
        } else {
            assertThat(decide(AccelMode.KVM).choice().accelerator()).isEqualTo(Accelerator.KVM);
        }
    }

    @Test
    void aSecondDecisionUsesTheCachedBootCheck() {
        AcceleratorChoice first = decide(AccelMode.AUTO).choice();
        long start = System.nanoTime();
        AcceleratorChoice second = decide(AccelMode.AUTO).choice();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(second.accelerator()).isEqualTo(first.accelerator());
        if (first.reason().contains("ms)")) { // a boot check ran (the ioctl probe passed)
            assertThat(second.reason()).contains("cached");
            assertThat(millis).as("cached decision time").isLessThan(5_000);
        }
    }

    @Test
    void forcedTcgIsTcg() {
        AcceleratorChoice tcg = decide(AccelMode.TCG).choice();
        assertThat(tcg.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(tcg.reason()).startsWith("forced by --accel tcg");
    }
}
