package io.hvfabric.bench;

import io.hvfabric.lab.Lab;
import io.hvfabric.lab.LabConfig;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Draining a host on a real 3-host lab (namespaces, mTLS): K VSIs on host-1, DrainHost until the drain ends, compared
 * with the bandwidth lower bound (bytes the drain's migrations sent ÷ iperf3 host-to-host bandwidth, same run) and
 * with a naive drain: the same K VSIs migrated one after another (back to host-1, after uncordoning it).
 */
public final class DrainBench {
    private static final long BOOT_TIMEOUT_MS = 300_000;

    private DrainBench() {
    }

    record Row(int k, FabricOperator.Timed<Drain> drain, long drainBytes, long migrationMsSum, int drainFailedMoves, double naiveMs,
               long naiveBytes, int naiveFailed, String load) {}

    public static void main(String[] args) throws Exception {
        Flags flags = new Flags(args, "dir", "name", "ks", "memory", "dirty-rate", "timeout-s", "cpu-ratio", "warmup");
        // 2-CPU lab hosts offer 8 vCPUs at the scheduler's default ratio 4: K = 10 one-vCPU guests need a higher one.
        int cpuRatio = flags.integer("cpu-ratio", 6, 1);
        boolean warmup = MigrationBench.bool(flags, "warmup", true);
        Path dir = Path.of(flags.text("dir", "/tmp/hvf-bench-drain"));
        String name = flags.text("name", "bdrn");
        long[] ks = MigrationBench.longs(flags.text("ks", "3,6"), "ks");
        int memory = flags.integer("memory", 256, 64);
        int dirtyRate = flags.integer("dirty-rate", 0, 0);
        long timeoutMs = flags.integer("timeout-s", 600, 10) * 1000L;
        String kernelArgs = dirtyRate == 0 ? "" : "hvf.dirty=" + Math.min(memory / 2, 256) + " hvf.dirty_rate=" + dirtyRate;
        Lab lab = null;
        try {
            MigrationBench.log("starting a 3-host lab '" + name + "' in " + dir);
            lab = Lab.up(LabConfig.builder().hosts(3).dir(dir).name(name)
                    .schedulerArgs(List.of("--cpu-ratio", Integer.toString(cpuRatio))).build());
            String drained = lab.hostIds().get(0);
            String peer = lab.hostIds().get(1);
            double bw = HostLinkBandwidth.bytesPerSecond(lab.hostNamespace(peer), lab.hostAddress(peer),
                    lab.hostNamespace(drained), 5);
            MigrationBench.log(String.format("iperf3 %s → %s: %.2f Gbit/s", drained, peer, bw * 8 / 1e9));
            List<Row> rows = new ArrayList<>();
            try (FabricOperator fabric = FabricOperator.onLeader(lab)) {
                if (warmup) {
                    MigrationBench.warmUp(fabric, drained, peer, timeoutMs);
                }
                for (long k : ks) {
                    try {
                        rows.add(runK((int) k, memory, kernelArgs, drained, fabric, timeoutMs));
                    } catch (Exception e) {
                        // keep the rows already measured; the failure is reported, not hidden
                        MigrationBench.log("K=" + k + " failed: " + e);
                        break;
                    }
                }
            }
            print(rows, bw, drained, memory, kernelArgs);
        } finally {
            if (lab != null) {
                lab.down();
                MigrationBench.log("lab down");
            }
        }
    }

    private static Row runK(int k, int memory, String kernelArgs, String host, FabricOperator fabric, long timeoutMs)
            throws Exception {
        String prefix = "dr" + k + "-" + Long.toString(System.currentTimeMillis() % 46_656, 36);
        List<String> names = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                names.add(prefix + "-" + i);
                fabric.create(VsiSpec.newBuilder().setName(prefix + "-" + i).setVcpus(1).setMemoryMib(memory)
                        .setImage("default").setKernelArgs(kernelArgs).setHost(host).build());
            }
            for (String n : names) {
                fabric.awaitTick(n, BOOT_TIMEOUT_MS);
            }
            MigrationBench.log(k + " VSIs booted on " + host + "; draining it (load " + LoadAverage.now() + ")");
            String load = LoadAverage.now();
            FabricOperator.Timed<Drain> drain = fabric.drain(host, timeoutMs);
            long bytes = 0;
            long migrationMs = 0;
            int failed = 0;
            for (DrainMove move : drain.record().getMovesList()) {
                if (!move.getMigrationId().isEmpty()) {
                    Migration m = fabric.migration(move.getMigrationId());
                    bytes += m.getTransferredBytes();
                    migrationMs += m.getTotalMs();
                }
                if (!move.getState().equals("DONE")) {
                    failed++;
                }
            }
            MigrationBench.log(String.format("drain of %d: %s in %.0f ms, %d MB sent, ETA was %d s; moves %s", k,
                    drain.record().getPhase(), drain.wallMs(), bytes / 1_000_000, drain.record().getEtaSeconds(),
                    drain.record().getMovesList().stream().map(m -> m.getVsi() + "→" + m.getTo() + ":" + m.getState()).toList()));
            fabric.uncordon(host);
            // The naive drain: the same VSIs, one MigrateVsi at a time, each waited for, back onto the uncordoned host.
            long naiveStart = System.nanoTime();
            long naiveBytes = 0;
            int naiveFailed = 0;
            for (String n : names) {
                if (fabric.vsi(n).getHost().equals(host)) {
                    continue; // never left (a PARTIAL drain)
                }
                FabricOperator.Timed<Migration> m = fabric.migrate(n, host, 120_000);
                naiveBytes += m.record().getTransferredBytes();
                if (m.record().getPhase() != Migration.Phase.COMPLETED) {
                    naiveFailed++;
                }
            }
            double naiveMs = (System.nanoTime() - naiveStart) / 1e6;
            MigrationBench.log(String.format("naive one-at-a-time of %d: %.0f ms, %d MB sent, %d failed (load %s)", k,
                    naiveMs, naiveBytes / 1_000_000, naiveFailed, LoadAverage.now()));
            return new Row(k, drain, bytes, migrationMs, failed, naiveMs, naiveBytes, naiveFailed, load + " → " + LoadAverage.now());
        } finally {
            for (String n : names) {
                fabric.delete(n);
            }
        }
    }

    private static void print(List<Row> rows, double bw, String host, int memory, String kernelArgs) {
        System.out.println();
        System.out.printf("Drain of %s (3-host lab, namespaces, mTLS; TCG; VSIs of 1 vCPU, %d MiB, kernel args '%s'); "
                + "iperf3 host-to-host: %.2f Gbit/s (%.0f MiB/s)%n%n", host, memory, kernelArgs, bw * 8 / 1e9, bw / (1 << 20));
        MarkdownTable t = new MarkdownTable("K", "drain phase", "drain ms", "ETA s", "moves not DONE", "Σ migration total ms", "sent MB",
                "lower bound ms", "÷ lower bound", "naive one-at-a-time ms", "naive failed", "drain ÷ naive", "load 1/5/15 min: before drain → after naive");
        for (Row r : rows) {
            double lower = r.drainBytes() / bw * 1000;
            t.row(r.k(), r.drain().record().getPhase(), r.drain().wallMs(), r.drain().record().getEtaSeconds(),
                    r.drainFailedMoves(), r.migrationMsSum(), r.drainBytes() / 1_000_000, lower,
                    String.format("%.1f", r.drain().wallMs() / lower), r.naiveMs(), r.naiveFailed(),
                    String.format("%.2f", r.drain().wallMs() / r.naiveMs()), r.load());
        }
        System.out.print(t.render());
    }
}
