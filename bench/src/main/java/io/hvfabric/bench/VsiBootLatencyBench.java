package io.hvfabric.bench;

import io.grpc.ManagedChannel;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.lab.Lab;
import io.hvfabric.lab.LabConfig;
import io.hvfabric.lab.LabStatus;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Replica;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Create-to-first-tick latency on a real lab (3 hosts, real QEMU guests under TCG), with a bare QEMU boot of the
 * same image timed alternately with it, so both see the same machine load. The lab is always taken down at the end.
 */
public final class VsiBootLatencyBench {
    private static final long PER_VSI_TIMEOUT_MS = 120_000;
    private static final Path IMAGE_DIR = Path.of("/var/cache/hvfabric/images/default");

    private VsiBootLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        Flags flags = new Flags(args, "n", "reuse", "dir", "name");
        int n = flags.integer("n", 10, 1);
        Path dir = Path.of(flags.text("dir", "/tmp/hvf-bench-lab"));
        String name = flags.text("name", "bench");
        Lab lab = null;
        try {
            lab = flags.bool("reuse") ? reuseOrUp(dir, name) : up(dir, name);
            if (lab.insecure()) {
                throw new IllegalStateException("lab in " + dir + " runs --insecure; the benchmark needs its mTLS certs");
            }
            Optional<TlsFiles> operatorTls = Optional.of(TlsFiles.inDir(lab.keyDir("operator"), "operator"));
            String leader = leaderEndpoint(lab.schedulerEndpoints(), operatorTls);
            log("lab '" + lab.name() + "' up; talking to the leader at " + leader);
            ManagedChannel channel = GrpcTls.channel(leader, operatorTls);
            try {
                run(n, new BootTimer(channel), new RawQemuBoot(IMAGE_DIR));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            if (lab != null) {
                lab.down();
                log("lab down");
            }
        }
    }

    private static void run(int n, BootTimer fabric, RawQemuBoot raw) throws Exception {
        List<BootTimer.Boot> boots = new ArrayList<>();
        List<Double> rawMs = new ArrayList<>();
        String prefix = "boot-" + Long.toString(System.currentTimeMillis() % 100_000, 36);
        for (int i = 0; i < n; i++) {
            VsiSpec spec = VsiSpec.newBuilder().setName(prefix + "-" + i).setVcpus(1).setMemoryMib(128)
                    .setImage("default").build();
            BootTimer.Boot b = fabric.measure(spec, PER_VSI_TIMEOUT_MS);
            boots.add(b);
            double r = raw.firstTickMs(PER_VSI_TIMEOUT_MS);
            rawMs.add(r);
            log(String.format("%s on %s: RUNNING %.0f ms, first tick %.0f ms; raw QEMU first tick %.0f ms",
                    b.name(), b.host(), b.runningMs(), b.firstTickMs(), r));
        }
        Sample tick = Sample.of(boots.stream().map(BootTimer.Boot::firstTickMs).toList());
        Sample running = Sample.of(boots.stream().map(BootTimer.Boot::runningMs).toList());
        Sample bare = Sample.of(rawMs);
        System.out.println();
        System.out.printf("VSI boot latency: %d VSIs (1 vCPU, 128 MiB, image default, TCG) created one after the "
                + "other on a 3-host lab, each alternated with a bare QEMU boot of the same image%n%n", n);
        MarkdownTable table = new MarkdownTable("measure (ms)", "n", "min", "median", "p95", "max");
        table.row("hvfabric CreateVsi → RUNNING", running.count(), running.min(), running.median(), running.p95(),
                running.max());
        table.row("hvfabric CreateVsi → first hvf-tick", tick.count(), tick.min(), tick.median(), tick.p95(), tick.max());
        table.row("raw QEMU start → first hvf-tick", bare.count(), bare.min(), bare.median(), bare.p95(), bare.max());
        table.row("ratio hvfabric ÷ raw QEMU (first tick)", "", String.format("%.2f", tick.min() / bare.min()),
                String.format("%.2f", tick.median() / bare.median()), String.format("%.2f", tick.p95() / bare.p95()),
                String.format("%.2f", tick.max() / bare.max()));
        System.out.print(table.render());
    }

    private static Lab up(Path dir, String name) {
        log("starting a 3-host lab '" + name + "' in " + dir);
        return Lab.up(LabConfig.builder().hosts(3).dir(dir).name(name).build());
    }

    /** The lab recorded in dir when every component is alive, else a new one. */
    private static Lab reuseOrUp(Path dir, String name) {
        Optional<Lab> existing = Lab.attach(dir);
        if (existing.isPresent() && existing.get().status().components().stream().allMatch(LabStatus.Component::alive)) {
            log("reusing lab '" + existing.get().name() + "' in " + dir);
            return existing.get();
        }
        return up(dir, name);
    }

    private static String leaderEndpoint(List<String> replicas, Optional<TlsFiles> tls) throws InterruptedException {
        ManagedChannel any = GrpcTls.channel(replicas.get(0), tls);
        try {
            ClusterStatus status = OperatorServiceGrpc.newBlockingStub(any).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
            return status.getReplicasList().stream().filter(Replica::getLeader).map(Replica::getAddress).findFirst()
                    .orElse(replicas.get(0));
        } finally {
            any.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static void log(String line) {
        System.err.println("bench: " + line);
    }
}
