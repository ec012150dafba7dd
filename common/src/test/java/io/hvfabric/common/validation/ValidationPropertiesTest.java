package io.hvfabric.common.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the shared validators with hostile requests. Each is either accepted, and then provably within every bound
 * (checked here by an independent statement of the bounds, not by the validator's own code), or refused as
 * INVALID_ARGUMENT with a short message that names a field and repeats at most an excerpt of the input.
 */
class ValidationPropertiesTest {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Path ROOT = Path.of("/var/cache/hvfabric/images");

    @Provide
    Arbitrary<VsiSpec> specs() {
        return HostileInputs.vsiSpec();
    }

    @Provide
    Arbitrary<MigrateVsiRequest> migrations() {
        return HostileInputs.migrateRequest();
    }

    @Provide
    Arbitrary<Image> images() {
        return HostileInputs.image(ROOT.toString());
    }

    @Property(tries = 1000)
    void aVsiSpecIsAcceptedExactlyWhenWithinEveryBound(@ForAll("specs") VsiSpec spec) {
        boolean accepted = outcome(() -> VsiSpecRules.validate(spec), texts(spec));
        collect(accepted);
        assertThat(accepted).as("accepted %s", spec).isEqualTo(withinBounds(spec));
    }

    @Property(tries = 1000)
    void aMigrationIsAcceptedExactlyWhenWithinEveryBound(@ForAll("migrations") MigrateVsiRequest request) {
        boolean accepted = outcome(() -> MigrationRules.validate(request), List.of(request.getName(), request.getTo()));
        collect(accepted);
        assertThat(accepted).isEqualTo(label(request.getName()) && optionalLabel(request.getTo())
                && in(request.getMaxBandwidthMibps(), 0, 1_000_000)
                && in(request.getMaxDowntimeMs(), 0, 60_000)
                && in(request.getMaxDurationMs(), 0, 86_400_000));
    }

    @Property(tries = 1000)
    void anImageIsAcceptedExactlyWhenItsFilesAreInsideTheImageDirectory(@ForAll("images") Image image) {
        boolean accepted = outcome(() -> ImageRules.validate(image, ROOT),
                List.of(image.getName(), image.getKernel(), image.getInitrd(), image.getCmdline()));
        collect(accepted);
        assertThat(accepted).isEqualTo(label(image.getName()) && confined(image.getKernel())
                && confined(image.getInitrd()) && printable(image.getCmdline(), 512));
    }

    /** Both outcomes must really occur, or the property says nothing. */
    private static void collect(boolean accepted) {
        Statistics.collect(accepted ? "accepted" : "refused");
        Statistics.coverage(c -> {
            c.check("accepted").percentage(p -> p >= 5);
            c.check("refused").percentage(p -> p >= 20);
        });
    }

    /** True if accepted; if refused, asserts how. */
    private static boolean outcome(Supplier<?> validation, List<String> inputs) {
        try {
            validation.get();
            return true;
        } catch (FabricException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.field()).isPresent();
            assertThat(e.getMessage()).startsWith("field '" + e.field().get() + "': ").hasSizeLessThanOrEqualTo(300);
            for (String input : inputs) {
                if (input.length() > 64) {
                    assertThat(e.getMessage()).doesNotContain(input.substring(0, 65));
                }
            }
            assertThat(e.getMessage().chars()).allMatch(c -> c >= 0x20 && c != 0x7f && (c < 0x80 || c == '…'));
            return false;
        }
    }

    private static boolean withinBounds(VsiSpec s) {
        if (!label(s.getName()) || !in(s.getVcpus(), 1, 255) || !in(s.getMemoryMib(), 64, 1L << 20)
                || !in(s.getDiskGib(), 0, 65_536) || !optionalLabel(s.getImage()) || !optionalLabel(s.getHost())
                || !optionalLabel(s.getAntiAffinityGroup()) || !printable(s.getKernelArgs(), 1024)
                || s.getNicsCount() > 16 || !in(s.getMaxDowntimeMs(), 0, 60_000)
                || !in(s.getMaxMigrationMs(), 0, 86_400_000)) {
            return false;
        }
        Set<String> macs = new HashSet<>();
        for (NicSpec nic : s.getNicsList()) {
            boolean macOk = nic.getMac().isEmpty() || (MAC.matcher(nic.getMac()).matches()
                    && (Integer.parseInt(nic.getMac().substring(0, 2), 16) & 1) == 0 && macs.add(nic.getMac()));
            if (!optionalLabel(nic.getNetwork()) || !macOk || !in(nic.getMbps(), 0, 100_000)) {
                return false;
            }
        }
        return true;
    }

    private static boolean confined(String path) {
        if (path.isEmpty() || !printable(path, 255) || List.of(path.split("/")).contains("..")) {
            return false;
        }
        Path file = ROOT.resolve(path).normalize();
        return file.startsWith(ROOT) && !file.equals(ROOT);
    }

    private static boolean label(String s) {
        return s.length() <= 63 && LABEL.matcher(s).matches();
    }

    private static boolean optionalLabel(String s) {
        return s.isEmpty() || label(s);
    }

    private static boolean printable(String s, int max) {
        return s.length() <= max && s.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }

    private static boolean in(long v, long min, long max) {
        return v >= min && v <= max;
    }

    private static List<String> texts(VsiSpec s) {
        return List.of(s.getName(), s.getImage(), s.getHost(), s.getAntiAffinityGroup(), s.getKernelArgs());
    }
}
