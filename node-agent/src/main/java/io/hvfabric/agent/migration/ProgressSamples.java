package io.hvfabric.agent.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.proto.v1.MigrationProgress;

/**
 * Turns QEMU's {@code query-migrate} answer (MigrationInfo in qapi/migration.json) into a {@link MigrationProgress}
 * sample. Pure, so the mapping is unit-tested against recorded answers.
 */
public final class ProgressSamples {
    private static final double MIB = 1024.0 * 1024.0;
    /** QEMU's 4 KiB target page, used when an old QEMU leaves out ram.page-size. */
    private static final long DEFAULT_PAGE_SIZE = 4096;

    private ProgressSamples() {}

    /**
     * @param info the {@code return} value of {@code query-migrate}
     */
    public static MigrationProgress fromQueryMigrate(JsonNode info) {
        JsonNode ram = info.path("ram");
        String status = info.path("status").asText("none");
        long pageSize = ram.path("page-size").asLong(DEFAULT_PAGE_SIZE);
        MigrationProgress.Builder b = MigrationProgress.newBuilder()
                .setStatus(status)
                .setRound(ram.path("dirty-sync-count").asLong())
                .setTransferredBytes(ram.path("transferred").asLong())
                .setRemainingBytes(ram.path("remaining").asLong())
                .setTotalBytes(ram.path("total").asLong())
                .setDirtyRateMibps(ram.path("dirty-pages-rate").asLong() * pageSize / MIB)
                // mbps is megabits (10^6) per second.
                .setThroughputMibps(ram.path("mbps").asDouble() * 1_000_000.0 / 8.0 / MIB)
                .setExpectedDowntimeMs(info.path("expected-downtime").asLong())
                // While active, total-time is the time since the migration started; once completed, its total.
                .setElapsedMs(info.path("total-time").asLong())
                .setCpuThrottlePercent(info.path("cpu-throttle-percentage").asInt());
        if ("completed".equals(status)) {
            b.setDowntimeMs(info.path("downtime").asLong());
        }
        if ("failed".equals(status)) {
            b.setError(info.path("error-desc").asText("migration failed (QEMU gave no reason)"));
        }
        return b.build();
    }

    /**
     * QEMU reports no RAM counters (and no total-time) once a migration failed or was cancelled; the record should
     * still say how far it got, so those are carried over from the previous sample, and the elapsed time is the
     * caller's.
     */
    public static MigrationProgress withLastKnownCounters(MigrationProgress sample, MigrationProgress previous,
                                                          long elapsedMs) {
        if (previous == null || sample.getTotalBytes() > 0 || "completed".equals(sample.getStatus())) {
            return sample;
        }
        return sample.toBuilder()
                .setRound(previous.getRound())
                .setTransferredBytes(previous.getTransferredBytes())
                .setRemainingBytes(previous.getRemainingBytes())
                .setTotalBytes(previous.getTotalBytes())
                .setElapsedMs(sample.getElapsedMs() > 0 ? sample.getElapsedMs() : elapsedMs)
                .build();
    }

    /** QEMU statuses after which nothing more happens. */
    public static boolean isFinal(String status) {
        return switch (status) {
            case "completed", "failed", "cancelled" -> true;
            default -> false;
        };
    }
}
