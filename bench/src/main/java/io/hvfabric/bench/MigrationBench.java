package io.hvfabric.bench;

import io.hvfabric.lab.Lab;
import io.hvfabric.lab.LabConfig;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Live migration on a real 2-host lab (namespaces, mTLS) against raw QEMU driven over QMP between the same two
 * namespaces: for each guest size and dirty rate, one hvfabric migration (MigrateVsi → COMPLETED, end to end) and two
 * raw QEMU migrations of a fresh twin (QEMU defaults; bandwidth cap lifted). Link bandwidth from iperf3 in the same run.
 * {@code --plaintext} starts the lab {@code --insecure} (no TLS on gRPC or the migration stream), so the fabric's own
 * overhead can be compared with raw QEMU's plain TCP like for like. Before the cases, one small VSI is migrated there
 * and back untimed ({@code --warmup false} skips it): a fabric's processes run for months, and the first migration of
 * a fresh JVM pays class loading and JIT that no later one does.
 */
public final class MigrationBench {
    private static final Path IMAGE_DIR = Path.of("/var/cache/hvfabric/images/default");
    private static final long BOOT_TIMEOUT_MS = 180_000;
    private static final long DOWNTIME_GOAL_MS = 300;

    private MigrationBench() {
    }

    record Case(long memoryMib, long dirtyRateMibps) {
        /** Keeps min(RAM/2, 256) MiB dirty at the given rate; rate 0 runs no dirty workload. */
        String kernelArgs() {
            return dirtyRateMibps == 0 ? "" : "hvf.dirty=" + Math.min(memoryMib / 2, 256) + " hvf.dirty_rate=" + dirtyRateMibps;
        }
    }

    /** tlsSingle and tlsMultifd are empty in a --plaintext run (the fabric's stream is plain then). */
    record Row(Case c, FabricOperator.Timed<Migration> fabric, RawQemuMigration.Result defaults,
               RawQemuMigration.Result uncapped, Optional<RawQemuMigration.Result> tlsSingle,
               Optional<RawQemuMigration.Result> tlsMultifd) {}

    public static void main(String[] args) throws Exception {
        Flags flags = new Flags(args, "dir", "name", "memories", "rates", "timeout-s", "plaintext", "warmup",
                "tls-channels", "tunnel");
        boolean plaintext = bool(flags, "plaintext", false);
        boolean warmup = bool(flags, "warmup", true);
        boolean tunnel = bool(flags, "tunnel", true);
        Path dir = Path.of(flags.text("dir", "/tmp/hvf-bench-mig"));
        String name = flags.text("name", "bmig");
        long timeoutMs = flags.integer("timeout-s", 120, 10) * 1000L;
        int tlsChannels = flags.integer("tls-channels", 2, 2);
        List<Case> cases = new ArrayList<>();
        for (long m : longs(flags.text("memories", "256,1024"), "memories")) {
            for (long r : longs(flags.text("rates", "0,32,128"), "rates")) {
                cases.add(new Case(m, r));
            }
        }
        Lab lab = null;
        try {
            log("starting a 2-host lab '" + name + "' in " + dir + (plaintext ? " (--insecure: plaintext)" : " (mTLS)"));
            LabConfig.Builder config = LabConfig.builder().hosts(2).dir(dir).name(name).insecure(plaintext);
            if (!tunnel) {
                config.agentArgs(List.of("--migration-tunnel=off")); // QEMU's own TLS channel, for the A/B
            }
            lab = Lab.up(config.build());
            String from = lab.hostIds().get(0);
            String to = lab.hostIds().get(1);
            RawQemuMigration.Host src = new RawQemuMigration.Host(lab.hostNamespace(from), lab.hostAddress(from));
            RawQemuMigration.Host dst = new RawQemuMigration.Host(lab.hostNamespace(to), lab.hostAddress(to));
            double bw = HostLinkBandwidth.bytesPerSecond(dst.namespace(), dst.address(), src.namespace(), 5);
            log(String.format("iperf3 %s → %s: %.2f Gbit/s", from, to, bw * 8 / 1e9));
            List<Row> rows = new ArrayList<>();
            RawQemuMigration raw = new RawQemuMigration(IMAGE_DIR);
            Optional<Path> tls = plaintext ? Optional.empty()
                    : Optional.of(RawTlsCredentials.create(dir.resolve("raw-tls"), List.of(src.address(), dst.address())));
            try (FabricOperator fabric = FabricOperator.onLeader(lab)) {
                if (warmup) {
                    warmUp(fabric, from, to, timeoutMs);
                }
                for (Case c : cases) {
                    rows.add(runCase(c, fabric, raw, from, to, src, dst, tls, tlsChannels, timeoutMs));
                    log("load average " + LoadAverage.now());
                }
            }
            print(rows, bw, from, to, plaintext ? "--insecure: plaintext gRPC and migration stream"
                    : tunnel ? "mTLS, TLS migration stream through the agents' tunnel"
                    : "mTLS, QEMU's own TLS migration stream (--migration-tunnel=off)", tlsChannels);
        } finally {
            if (lab != null) {
                lab.down();
                log("lab down");
            }
        }
    }

    /** One idle 128 MiB VSI there and back, untimed; fails the run if the fabric cannot migrate at all. */
    static void warmUp(FabricOperator fabric, String from, String to, long timeoutMs) throws Exception {
        String vsi = "warmup-" + Long.toString(System.currentTimeMillis() % 46_656, 36);
        try {
            fabric.createAndAwaitTick(VsiSpec.newBuilder().setName(vsi).setVcpus(1).setMemoryMib(128)
                    .setImage("default").setHost(from).build(), BOOT_TIMEOUT_MS);
            for (String target : List.of(to, from)) {
                Migration m = fabric.migrate(vsi, target, timeoutMs).record();
                if (m.getPhase() != Migration.Phase.COMPLETED) {
                    throw new IllegalStateException("warm-up migration to " + target + " ended " + m.getPhase()
                            + ": " + m.getMessage());
                }
                log(String.format("warm-up %s → %s: %d ms (not recorded)", vsi, target, m.getTotalMs()));
            }
        } finally {
            fabric.delete(vsi);
        }
    }

    private static Row runCase(Case c, FabricOperator fabric, RawQemuMigration raw, String from, String to,
                               RawQemuMigration.Host src, RawQemuMigration.Host dst, Optional<Path> tls,
                               int tlsChannels, long timeoutMs) throws Exception {
        String vsi = "mig-" + c.memoryMib() + "-" + c.dirtyRateMibps() + "-" + Long.toString(System.currentTimeMillis() % 46_656, 36);
        FabricOperator.Timed<Migration> timed;
        try {
            fabric.createAndAwaitTick(VsiSpec.newBuilder().setName(vsi).setVcpus(1).setMemoryMib(c.memoryMib())
                    .setImage("default").setKernelArgs(c.kernelArgs()).setHost(from).build(), BOOT_TIMEOUT_MS);
            timed = fabric.migrate(vsi, to, timeoutMs);
            Migration m = timed.record();
            log(String.format("%s: hvfabric %s in %.0f ms (record total %d ms, downtime %d ms, rounds %d, %d MB, rung %s: %s) %s",
                    vsi, m.getPhase(), timed.wallMs(), m.getTotalMs(), m.getDowntimeMs(), m.getRounds(),
                    m.getTransferredBytes() / 1_000_000, m.getRung(), m.getReason(), m.getMessage()));
        } finally {
            fabric.delete(vsi); // frees the CPU before the raw runs
        }
        RawQemuMigration.Result defaults = raw.run(src, dst, c.memoryMib(), c.kernelArgs(), false, timeoutMs);
        log(vsi + ": raw QEMU defaults " + defaults);
        RawQemuMigration.Result uncapped = raw.run(src, dst, c.memoryMib(), c.kernelArgs(), true, timeoutMs);
        log(vsi + ": raw QEMU uncapped " + uncapped);
        Optional<RawQemuMigration.Result> tlsSingle = Optional.empty();
        Optional<RawQemuMigration.Result> tlsMultifd = Optional.empty();
        if (tls.isPresent()) {
            // Uncapped like the fabric's own migrations, so only the transport differs from the column before.
            tlsSingle = Optional.of(raw.run(src, dst, c.memoryMib(), c.kernelArgs(), true,
                    RawQemuMigration.Transport.tls(tls.get(), 0), timeoutMs));
            log(vsi + ": raw QEMU TLS, one stream " + tlsSingle.get());
            tlsMultifd = Optional.of(raw.run(src, dst, c.memoryMib(), c.kernelArgs(), true,
                    RawQemuMigration.Transport.tls(tls.get(), tlsChannels), timeoutMs));
            log(vsi + ": raw QEMU TLS, multifd " + tlsChannels + " " + tlsMultifd.get());
        }
        return new Row(c, timed, defaults, uncapped, tlsSingle, tlsMultifd);
    }

    private static void print(List<Row> rows, double bw, String from, String to, String transport, int tlsChannels) {
        System.out.println();
        System.out.printf("Live migration %s → %s (2-host lab, namespaces, %s; TCG, 1 vCPU, image default); iperf3 "
                + "%s → %s: %.2f Gbit/s (%.0f MiB/s)%n%n", from, to,
                transport,
                from, to, bw * 8 / 1e9, bw / (1 << 20));
        MarkdownTable t = new MarkdownTable("RAM MiB", "dirty", "hvfabric phase", "e2e ms", "record total ms",
                "downtime ms", "rounds", "sent ÷ RAM", "rung (reason)", "raw dflt ms (dt, rounds, MB)",
                "raw uncapped ms (dt, rounds, MB)", "raw TLS ms (dt, rounds, MB)",
                "raw TLS multifd " + tlsChannels + " ms (dt, rounds, MB)", "lower bound ms", "÷ raw dflt",
                "÷ raw uncapped", "÷ raw TLS", "÷ raw TLS multifd", "faster than dflt", "≤1.2×uncapped+0.5s",
                "downtime ≤300");
        for (Row r : rows) {
            Migration m = r.fabric().record();
            boolean done = m.getPhase() == Migration.Phase.COMPLETED;
            double e2e = r.fabric().wallMs();
            double ram = r.c().memoryMib() * (double) (1 << 20);
            double lowerMs = m.getTransferredBytes() / bw * 1000;
            String dirty = r.c().dirtyRateMibps() == 0 ? "none"
                    : Math.min(r.c().memoryMib() / 2, 256) + " MiB @ " + r.c().dirtyRateMibps() + " MiB/s";
            t.row(r.c().memoryMib(), dirty, m.getPhase(), e2e, m.getTotalMs(), m.getDowntimeMs(), m.getRounds(),
                    String.format("%.2f", m.getTransferredBytes() / ram), m.getRung() + " (" + m.getReason() + ")",
                    raw(r.defaults()), raw(r.uncapped()), r.tlsSingle().map(MigrationBench::raw).orElse("n/a"),
                    r.tlsMultifd().map(MigrationBench::raw).orElse("n/a"), lowerMs,
                    ratio(e2e, r.defaults()), ratio(e2e, r.uncapped()),
                    r.tlsSingle().map(x -> ratio(e2e, x)).orElse("n/a"),
                    r.tlsMultifd().map(x -> ratio(e2e, x)).orElse("n/a"),
                    completed(r.defaults()) || !done ? verdict(e2e < r.defaults().totalMs(), done)
                            : "pass (raw " + r.defaults().status() + " at " + r.defaults().totalMs() + " ms)",
                    verdict(completed(r.uncapped()) ? e2e <= 1.2 * r.uncapped().totalMs() + 500 : null, done),
                    verdict(done ? m.getDowntimeMs() <= DOWNTIME_GOAL_MS : null, done));
        }
        System.out.print(t.render());
    }

    private static boolean completed(RawQemuMigration.Result r) {
        return r.status().equals("completed");
    }

    private static String raw(RawQemuMigration.Result r) {
        return completed(r)
                ? String.format("%d (%d, %d, %d)", r.totalMs(), r.downtimeMs(), r.rounds(), r.transferredBytes() / 1_000_000)
                : r.status() + " at " + r.totalMs() + " (" + r.rounds() + " rounds)";
    }

    private static String ratio(double e2e, RawQemuMigration.Result r) {
        return completed(r) ? String.format("%.2f", e2e / r.totalMs()) : "n/a";
    }

    private static String verdict(Boolean pass, boolean fabricDone) {
        if (!fabricDone) {
            return "FAIL (not completed)";
        }
        return pass == null ? "n/a (raw did not complete)" : pass ? "pass" : "FAIL";
    }

    static boolean bool(Flags flags, String name, boolean fallback) {
        String v = flags.text(name, Boolean.toString(fallback));
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--" + name + ": must be true or false (got '" + v + "')");
        }
        return Boolean.parseBoolean(v);
    }

    static long[] longs(String csv, String flag) {
        try {
            return Arrays.stream(csv.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": must be comma-separated integers (got '" + csv + "')");
        }
    }

    static void log(String line) {
        System.err.println("bench: " + line);
    }
}
