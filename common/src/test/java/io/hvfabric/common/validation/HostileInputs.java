package io.hvfabric.common.validation;

import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.Collections;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Requests as a hostile client sends them: each field is mostly plausible and sometimes hostile (control characters
 * C0 and C1, 10,000-character strings, edge and absurd numbers, a thousand NICs), so that both accepted and refused
 * requests are generated often enough to say something.
 */
final class HostileInputs {
    private HostileInputs() {}

    /** Nine times in ten {@code plausible}, else {@code hostile}. */
    static <T> Arbitrary<T> mostly(Arbitrary<T> plausible, Arbitrary<T> hostile) {
        return Arbitraries.frequencyOf(Tuple.of(9, plausible), Tuple.of(1, hostile));
    }

    /** Any string: every Unicode character, C1 controls, huge ones, almost-labels. */
    static Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.strings().withChars("abcxyz019-_.A ").ofMinLength(1).ofMaxLength(70),
                label().map(l -> l + "\u0085"),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(10_000),
                Arbitraries.just(""));
    }

    static Arbitrary<String> label() {
        Arbitrary<String> part = Arbitraries.strings().withChars("abcdexyz0189").ofMinLength(1).ofMaxLength(20);
        return Arbitraries.oneOf(part, Combinators.combine(part, part).as((a, b) -> a + "-" + b));
    }

    static Arbitrary<String> name() {
        return mostly(label(), hostileText());
    }

    static Arbitrary<String> optionalName() {
        return mostly(Arbitraries.oneOf(Arbitraries.just(""), label()), hostileText());
    }

    static Arbitrary<String> printable(int maxLength) {
        return mostly(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(maxLength),
                Arbitraries.oneOf(Arbitraries.strings().withCharRange(' ', '~').ofLength(maxLength + 1),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40).map(s -> s + "\u009b"),
                        hostileText()));
    }

    static Arbitrary<Long> number(long min, long max) {
        return mostly(Arbitraries.longs().between(min, max),
                Arbitraries.oneOf(Arbitraries.of(min - 1, max + 1, -1L, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE,
                        9_000_000_000_000L), Arbitraries.longs()));
    }

    static Arbitrary<String> mac() {
        Arbitrary<String> unicast = Arbitraries.integers().between(0, 127).map(i -> String.format("%02x", i * 2))
                .flatMap(first -> Arbitraries.strings().withChars("0123456789abcdef").ofLength(2).list().ofSize(5)
                        .map(rest -> first + ":" + String.join(":", rest)));
        return mostly(Arbitraries.oneOf(Arbitraries.just(""), unicast),
                Arbitraries.oneOf(Arbitraries.just("zz:zz"), Arbitraries.just("53:54:00:12:34:56"),
                        unicast.map(String::toUpperCase), hostileText()));
    }

    static Arbitrary<NicSpec> nic() {
        return Builders.withBuilder(NicSpec::newBuilder)
                .use(optionalName()).in(NicSpec.Builder::setNetwork)
                .use(mac()).in(NicSpec.Builder::setMac)
                .use(number(0, VsiSpecRules.MAX_NIC_MBPS)).in(NicSpec.Builder::setMbps)
                .build(NicSpec.Builder::build);
    }

    static Arbitrary<VsiSpec> vsiSpec() {
        NicSpec small = NicSpec.newBuilder().setMbps(1).build();
        return Builders.withBuilder(VsiSpec::newBuilder)
                .use(name()).in(VsiSpec.Builder::setName)
                .use(number(1, VsiSpecRules.MAX_VCPUS).map(Long::intValue)).in(VsiSpec.Builder::setVcpus)
                .use(number(VsiSpecRules.MIN_MEMORY_MIB, VsiSpecRules.MAX_MEMORY_MIB)).in(VsiSpec.Builder::setMemoryMib)
                .use(number(0, VsiSpecRules.MAX_DISK_GIB)).in(VsiSpec.Builder::setDiskGib)
                .use(optionalName()).in(VsiSpec.Builder::setImage)
                .use(optionalName()).in(VsiSpec.Builder::setHost)
                .use(optionalName()).in(VsiSpec.Builder::setAntiAffinityGroup)
                .use(printable(VsiSpecRules.MAX_KERNEL_ARGS)).in(VsiSpec.Builder::setKernelArgs)
                .use(mostly(nic().list().ofMaxSize(3), Arbitraries.oneOf(nic().list().ofMinSize(15).ofMaxSize(18),
                        Arbitraries.just(Collections.nCopies(1000, small))))).in(VsiSpec.Builder::addAllNics)
                .use(number(0, MigrationRules.MAX_DOWNTIME_MS)).in(VsiSpec.Builder::setMaxDowntimeMs)
                .use(number(0, MigrationRules.MAX_DURATION_MS)).in(VsiSpec.Builder::setMaxMigrationMs)
                .build(VsiSpec.Builder::build);
    }

    static Arbitrary<MigrateVsiRequest> migrateRequest() {
        return Builders.withBuilder(MigrateVsiRequest::newBuilder)
                .use(name()).in(MigrateVsiRequest.Builder::setName)
                .use(optionalName()).in(MigrateVsiRequest.Builder::setTo)
                .use(number(0, MigrationRules.MAX_BANDWIDTH_MIBPS)).in(MigrateVsiRequest.Builder::setMaxBandwidthMibps)
                .use(number(0, MigrationRules.MAX_DOWNTIME_MS)).in(MigrateVsiRequest.Builder::setMaxDowntimeMs)
                .use(number(0, MigrationRules.MAX_DURATION_MS)).in(MigrateVsiRequest.Builder::setMaxDurationMs)
                .build(MigrateVsiRequest.Builder::build);
    }

    /** {@code root}: the image directory the plausible absolute paths are under. */
    static Arbitrary<String> imagePath(String root) {
        return mostly(Arbitraries.oneOf(label().map(l -> l + "/vmlinuz"), label().map(l -> root + "/" + l + "/initrd")),
                Arbitraries.oneOf(Arbitraries.of("/etc/shadow", "../../etc/shadow", "a/../../b", root + "/../x", root,
                        ".", "k\0", root + "-evil/k", "/proc/self/root/etc/shadow"), hostileText(),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300)));
    }

    static Arbitrary<Image> image(String root) {
        return Builders.withBuilder(Image::newBuilder)
                .use(name()).in(Image.Builder::setName)
                .use(imagePath(root)).in(Image.Builder::setKernel)
                .use(imagePath(root)).in(Image.Builder::setInitrd)
                .use(printable(ImageRules.MAX_CMDLINE)).in(Image.Builder::setCmdline)
                .build(Image.Builder::build);
    }
}
