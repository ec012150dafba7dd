package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.ImageRules;
import io.hvfabric.common.validation.MigrationRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.loop.SequentialDecider;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.migrate.MigrationOperations;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordingKv;
import io.hvfabric.scheduler.view.ViewFeed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * The scheduler's write operations (create a VSI, accept a migration, register an image) against a seeded view whose
 * etcd records every call: whatever the shared validators refuse is refused by the operation as the same
 * INVALID_ARGUMENT before it reads or writes etcd, so nothing is stored and nothing reserved; whatever they accept
 * is not refused as invalid, and (the cluster has room) gets as far as its etcd transaction.
 */
class RefusedRequestsStoreNothingTest {
    private static final Path IMAGE_DIR = Path.of("/var/cache/hvfabric/images");
    private static final Term TERM = new Term("sched-1", "127.0.0.1:7001",
            ByteSequence.from("/hvf/v1/leader/sched-1", StandardCharsets.UTF_8), 7);

    private RecordingKv etcd;
    private VsiOperations vsis;
    private MigrationOperations migrations;
    private ImageCatalog images;

    /** Two roomy READY hosts; web-1 RUNNING on h1; the default image. */
    @BeforeProperty
    void cluster() {
        ViewFeed feed = new ViewFeed();
        for (String id : List.of("h1", "h2")) {
            feed.put(Keys.Kind.HOST, id, HostRecord.newBuilder().setId(id).setAddress(id + ":7002")
                    .setCapacity(Resources.newBuilder().setVcpus(VsiSpecRules.MAX_VCPUS).setMemoryMib(2L << 20)
                            .setDiskGib(1L << 20).setNicMbps(10_000_000))
                    .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg").setCpuModel("qemu64"))
                    .build());
            feed.put(Keys.Kind.ALIVE, id, AliveRecord.newBuilder().setLeaseId(1).build());
        }
        feed.put(Keys.Kind.VSI, "web-1", VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("web-1").setVcpus(1).setMemoryMib(128).setImage("default"))
                .setHost("h1").setState(Vsi.State.RUNNING).setDesired("RUNNING").build());
        feed.put(Keys.Kind.IMAGE, "default", ImageCatalog.defaultImage(IMAGE_DIR));
        etcd = new RecordingKv();
        FencedWriter writer = new FencedWriter(etcd.kv(), null);
        PlacementPipeline pipeline = PlacementPipeline.fromConfig(PlacementConfig.DEFAULT);
        PlacementInputs inputs = new PlacementInputs(feed.view(), List::of);
        vsis = new VsiOperations(feed.view(), feed.keys(), new SequentialDecider(feed.view(), writer), pipeline, inputs);
        migrations = new MigrationOperations(feed.view(), feed.keys(), writer, pipeline, inputs,
                (kind, id) -> "reachable", new Object());
        images = new ImageCatalog(feed.view(), feed.keys(), writer, IMAGE_DIR);
    }

    /** A named change, so a failing case reads as the list of what was done to the request. */
    record Mutation<B>(String name, UnaryOperator<B> change) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Provide
    Arbitrary<VsiSpec> specs() {
        Arbitrary<VsiSpec.Builder> base = Combinators.combine(
                Arbitraries.strings().withChars("abcz019").ofMinLength(1).ofMaxLength(12),
                Arbitraries.integers().between(1, 16), Arbitraries.longs().between(64, 8192),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(8, ""), net.jqwik.api.Tuple.of(1, "quiet"),
                        net.jqwik.api.Tuple.of(1, "a\u0085b")))
                .as((name, vcpus, memory, args) -> VsiSpec.newBuilder().setName("v-" + name).setVcpus(vcpus)
                        .setMemoryMib(memory).setKernelArgs(args));
        List<Mutation<VsiSpec.Builder>> hostile = List.of(
                new Mutation<>("C1 in kernel args", b -> b.setKernelArgs("console=ttyS0 \u009b31m")),
                new Mutation<>("C0 in kernel args", b -> b.setKernelArgs("init=/bin/sh\u0007")),
                new Mutation<>("1025 characters of kernel args", b -> b.setKernelArgs("x".repeat(1025))),
                new Mutation<>("1024 characters of kernel args", b -> b.setKernelArgs("x".repeat(1024))),
                new Mutation<>("MAC zz:zz", b -> b.addNics(NicSpec.newBuilder().setMac("zz:zz"))),
                new Mutation<>("a good MAC", b -> b.addNics(NicSpec.newBuilder().setMac("52:54:00:ab:cd:ef"))),
                new Mutation<>("1000 NICs", b -> b.addAllNics(Collections.nCopies(1000, NicSpec.getDefaultInstance()))),
                new Mutation<>("16 NICs", b -> b.clearNics().addAllNics(Collections.nCopies(16,
                        NicSpec.newBuilder().setMbps(100).build()))),
                new Mutation<>("-1 Mbit/s", b -> b.addNics(NicSpec.newBuilder().setMbps(-1))),
                new Mutation<>("downtime 2^62 ms", b -> b.setMaxDowntimeMs(1L << 62)),
                new Mutation<>("downtime 60 s", b -> b.setMaxDowntimeMs(60_000)),
                new Mutation<>("migration 24 h + 1 ms", b -> b.setMaxMigrationMs(86_400_001)),
                new Mutation<>("2 TiB of memory", b -> b.setMemoryMib(2L << 20)),
                new Mutation<>("Long.MAX_VALUE GiB of disk", b -> b.setDiskGib(Long.MAX_VALUE)),
                new Mutation<>("a 10,000-character name", b -> b.setName("n".repeat(10_000))),
                new Mutation<>("NUL in the name", b -> b.setName("web\u00002")),
                new Mutation<>("0 vCPUs", b -> b.setVcpus(0)),
                new Mutation<>("256 vCPUs", b -> b.setVcpus(256)),
                new Mutation<>("group 'a b'", b -> b.setAntiAffinityGroup("a b")),
                new Mutation<>("image ../default", b -> b.setImage("../default")));
        return Combinators.combine(base, Arbitraries.of(hostile).list().ofMaxSize(2))
                .as((b, changes) -> apply(b, changes).build());
    }

    @Provide
    Arbitrary<MigrateVsiRequest> migrations() {
        Arbitrary<MigrateVsiRequest.Builder> base = Combinators.combine(
                Arbitraries.of("", "h2"), Arbitraries.longs().between(0, 20_000), Arbitraries.longs().between(0, 2000),
                Arbitraries.longs().between(0, 600_000))
                .as((to, bandwidth, downtime, duration) -> MigrateVsiRequest.newBuilder().setName("web-1").setTo(to)
                        .setMaxBandwidthMibps(bandwidth).setMaxDowntimeMs(downtime).setMaxDurationMs(duration));
        List<Mutation<MigrateVsiRequest.Builder>> hostile = List.of(
                new Mutation<>("--max-bandwidth 9000000000000", b -> b.setMaxBandwidthMibps(9_000_000_000_000L)),
                new Mutation<>("--max-bandwidth 1000001", b -> b.setMaxBandwidthMibps(1_000_001)),
                new Mutation<>("--max-bandwidth 1000000", b -> b.setMaxBandwidthMibps(1_000_000)),
                new Mutation<>("--max-bandwidth -1", b -> b.setMaxBandwidthMibps(-1)),
                new Mutation<>("downtime 2^62 ms", b -> b.setMaxDowntimeMs(1L << 62)),
                new Mutation<>("duration Long.MAX_VALUE", b -> b.setMaxDurationMs(Long.MAX_VALUE)),
                new Mutation<>("a 10,000-character name", b -> b.setName("w".repeat(10_000))),
                new Mutation<>("no name", b -> b.setName("")),
                new Mutation<>("target 'H 2'", b -> b.setTo("H 2")));
        return Combinators.combine(base, Arbitraries.of(hostile).list().ofMaxSize(2))
                .as((b, changes) -> apply(b, changes).build());
    }

    @Provide
    Arbitrary<Image> images() {
        Arbitrary<Image.Builder> base = Arbitraries.strings().withChars("abcz019").ofMinLength(1).ofMaxLength(12)
                .map(name -> Image.newBuilder().setName("img-" + name).setKernel(name + "/vmlinuz")
                        .setInitrd(IMAGE_DIR + "/" + name + "/initrd.gz"));
        List<Mutation<Image.Builder>> hostile = List.of(
                new Mutation<>("kernel /etc/shadow", b -> b.setKernel("/etc/shadow")),
                new Mutation<>("initrd /etc/shadow", b -> b.setInitrd("/etc/shadow")),
                new Mutation<>("kernel ../../etc/shadow", b -> b.setKernel("../../etc/shadow")),
                new Mutation<>("initrd through ..", b -> b.setInitrd(IMAGE_DIR + "/../../etc/shadow")),
                new Mutation<>("kernel in a sibling directory", b -> b.setKernel(IMAGE_DIR + "-evil/vmlinuz")),
                new Mutation<>("NUL in the kernel path", b -> b.setKernel("a/vmlinuz\u0000")),
                new Mutation<>("a 4096-character kernel path", b -> b.setKernel("k/".repeat(2048))),
                new Mutation<>("newline in cmdline", b -> b.setCmdline("quiet\ninit=/bin/sh")),
                new Mutation<>("a cmdline", b -> b.setCmdline("console=ttyS0 quiet")),
                new Mutation<>("a 10,000-character name", b -> b.setName("i".repeat(10_000))));
        return Combinators.combine(base, Arbitraries.of(hostile).list().ofMaxSize(2))
                .as((b, changes) -> apply(b, changes).build());
    }

    @Property(tries = 300)
    void aRefusedVsiIsNeitherStoredNorPlaced(@ForAll("specs") VsiSpec spec) {
        check(() -> VsiSpecs.validate(VsiSpecs.withDefaults(spec), VsiSpecRules.MAX_VCPUS),
                () -> vsis.create(TERM, spec));
    }

    @Property(tries = 300)
    void aRefusedMigrationLeavesNoRecordAndNoReservation(@ForAll("migrations") MigrateVsiRequest request) {
        check(() -> MigrationRules.validate(request), () -> migrations.accept(TERM, request, 0, "operator"));
    }

    @Property(tries = 300)
    void aRefusedImageIsNotRegistered(@ForAll("images") Image image) {
        check(() -> ImageRules.validate(image, IMAGE_DIR), () -> images.register(TERM, image));
    }

    private void check(Runnable validation, Supplier<?> operation) {
        FabricException expected = refusal(validation);
        etcd.clear();
        String outcome;
        try {
            operation.get();
            throw new AssertionError("the operation cannot succeed: its etcd answers nothing");
        } catch (RecordingKv.StoreReached e) {
            outcome = "reached etcd";
        } catch (FabricException e) {
            outcome = e.code().name();
            if (expected != null) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).isEqualTo(expected.getMessage()).hasSizeLessThanOrEqualTo(300);
            } else {
                assertThat(e.code()).as(e.getMessage()).isNotEqualTo(ErrorCode.INVALID_ARGUMENT);
            }
        }
        if (expected != null) {
            assertThat(etcd.calls()).as("etcd calls for a refused request").isEmpty();
        }
        Statistics.collect(outcome);
        Statistics.coverage(c -> {
            c.check("reached etcd").percentage(p -> p >= 10);
            c.check("INVALID_ARGUMENT").percentage(p -> p >= 20);
        });
    }

    private static FabricException refusal(Runnable validation) {
        try {
            validation.run();
            return null;
        } catch (FabricException e) {
            return e;
        }
    }

    private static <B> B apply(B builder, List<Mutation<B>> changes) {
        B b = builder;
        for (Mutation<B> m : changes) {
            b = m.change().apply(b);
        }
        return b;
    }
}
