package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.ImageRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The agent launches exactly what the scheduler accepts: the same shared rules refuse a spec on both sides with the
 * same message, and nothing the rules accept is refused by the driver's launch spec (the composed command line of a
 * maximal image, kernel args and name included). Before, C1 control characters passed the scheduler and failed here,
 * after the capacity had been reserved.
 */
class LaunchSpecsTest {
    private static final Path ROOT = images();
    private static final LaunchSpecs LAUNCH = new LaunchSpecs(new ImageFiles(ROOT), Accelerator.TCG,
            VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE);

    private static Path images() {
        try {
            Path root = Files.createTempDirectory("hvf-images");
            Files.createDirectories(root.resolve("default"));
            Files.writeString(root.resolve("default/vmlinuz"), "k");
            Files.writeString(root.resolve("default/initrd.gz"), "i");
            root.toFile().deleteOnExit();
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static VsiAssignment assignment(VsiSpec spec, String imageCmdline) {
        return VsiAssignment.newBuilder().setSpec(spec).setDesired("RUNNING")
                .setImage(Image.newBuilder().setName("default").setKernel("default/vmlinuz")
                        .setInitrd(ROOT.resolve("default/initrd.gz").toString()).setCmdline(imageCmdline))
                .build();
    }

    @Provide
    Arbitrary<VsiSpec> specs() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.strings().withChars("abz09").ofMinLength(1)
                .ofMaxLength(63), Arbitraries.strings().withChars("abz09-_A").ofMinLength(1).ofMaxLength(70));
        Arbitrary<String> kernelArgs = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(VsiSpecRules.MAX_KERNEL_ARGS)),
                Tuple.of(2, Arbitraries.strings().withCharRange(' ', '~').ofLength(VsiSpecRules.MAX_KERNEL_ARGS)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(20)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u0080', '\u009f').ofMinLength(1).ofMaxLength(3)));
        return Combinators.combine(names, Arbitraries.integers().between(0, 300),
                        Arbitraries.longs().between(0, (1L << 20) + 100), kernelArgs)
                .as((name, vcpus, memory, args) -> VsiSpec.newBuilder().setName(name).setVcpus(vcpus)
                        .setMemoryMib(memory).setImage("default").setKernelArgs(args).build());
    }

    @Property(tries = 500)
    void theAgentRefusesExactlyWhatTheSchedulerRefuses(@ForAll("specs") VsiSpec spec,
                                                        @ForAll boolean maximalImageCmdline) {
        String imageCmdline = maximalImageCmdline ? "c".repeat(ImageRules.MAX_CMDLINE) : "console=ttyS0";
        FabricException scheduler = refusal(() -> VsiSpecRules.validate(spec));
        FabricException agent = refusal(() -> LAUNCH.forAssignment(assignment(spec, imageCmdline)));
        Statistics.collect(scheduler == null ? "accepted" : "refused");
        if (scheduler == null) {
            assertThat(agent).as("agent refused what the scheduler accepted").isNull();
        } else {
            assertThat(agent).isNotNull();
            assertThat(agent.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(agent.getMessage()).isEqualTo(scheduler.getMessage());
        }
        Statistics.coverage(c -> c.check("accepted").percentage(p -> p >= 10));
    }

    @Test
    void aC1ControlCharacterIsRefusedAsTheSchedulerRefusesIt() {
        VsiSpec spec = VsiSpec.newBuilder().setName("web-1").setVcpus(1).setMemoryMib(128)
                .setKernelArgs("quiet \u0085").build();
        assertThatThrownBy(() -> LAUNCH.forAssignment(assignment(spec, ""))).isInstanceOfSatisfying(
                FabricException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "field 'kernel_args': must be printable ASCII (0x20-0x7e), without control characters "
                                + "(got U+0085 at index 6)"));
    }

    private static FabricException refusal(Runnable call) {
        try {
            call.run();
            return null;
        } catch (FabricException e) {
            return e;
        }
    }
}
