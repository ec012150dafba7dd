package io.hvfabric.migration;

import io.hvfabric.proto.v1.MigrationProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces the progress samples a source agent would report for a guest with a steady dirty rate: QEMU-like rounds
 * (dirty rate reported from the second round on, as QEMU measures it at each sync), a sample every period, and a
 * final "completed" sample once a round ends with what is left fitting the downtime limit.
 */
final class PrecopySimulator {

    private static final double MIB = 1024.0 * 1024.0;

    private double memoryMib = 1024;
    private double dirtyMibps;
    private double throughputMibps = 100;
    private long downtimeLimitMs = 300;
    private long periodMs = 300;
    private int throttlePercent;
    private String rung = "precopy";

    static PrecopySimulator guest() {
        return new PrecopySimulator();
    }

    PrecopySimulator memoryMib(double v) { memoryMib = v; return this; }
    PrecopySimulator dirtyMibps(double v) { dirtyMibps = v; return this; }
    PrecopySimulator throughputMibps(double v) { throughputMibps = v; return this; }
    PrecopySimulator downtimeLimitMs(long v) { downtimeLimitMs = v; return this; }
    PrecopySimulator periodMs(long v) { periodMs = v; return this; }
    PrecopySimulator throttlePercent(int v) { throttlePercent = v; return this; }

    /** Samples until QEMU would complete or {@code untilMs} passes. */
    List<MigrationProgress> run(long untilMs) {
        List<MigrationProgress> samples = new ArrayList<>();
        double left = memoryMib;
        double sent = 0;
        long round = 1;
        double roundStartMs = 0;
        double reportedDirty = 0;
        for (long t = periodMs; t <= untilMs; t += periodMs) {
            double canSend = throughputMibps * periodMs / 1000.0;
            double now = t - periodMs;
            boolean completed = false;
            while (canSend > 0) {
                double chunk = Math.min(left, canSend);
                left -= chunk;
                sent += chunk;
                canSend -= chunk;
                now += chunk / throughputMibps * 1000.0;
                if (left <= 1e-9) {
                    double roundMs = now - roundStartMs;
                    double dirtied = Math.min(memoryMib, dirtyMibps * roundMs / 1000.0);
                    round++;
                    roundStartMs = now;
                    reportedDirty = dirtyMibps;
                    left = dirtied;
                    if (left / throughputMibps * 1000.0 <= downtimeLimitMs) {
                        sent += left;
                        left = 0;
                        completed = true;
                        break;
                    }
                }
            }
            samples.add(sample(completed ? "completed" : "active", round, sent, left, reportedDirty, t));
            if (completed) {
                break;
            }
        }
        return samples;
    }

    private MigrationProgress sample(String status, long round, double sentMib, double leftMib, double dirty, long t) {
        return MigrationProgress.newBuilder()
                .setStatus(status)
                .setRound(round)
                .setTransferredBytes((long) (sentMib * MIB))
                .setRemainingBytes((long) (leftMib * MIB))
                .setTotalBytes((long) (memoryMib * MIB))
                .setDirtyRateMibps(dirty)
                .setThroughputMibps(throughputMibps)
                .setElapsedMs(t)
                .setCpuThrottlePercent(throttlePercent)
                .setRung(rung)
                .build();
    }
}
