package io.hvfabric.common.validation;

import io.hvfabric.proto.v1.MigrateVsiRequest;

/**
 * Bounds of a live migration's objectives, for a {@link MigrateVsiRequest} and for the objectives a VSI spec carries.
 * 0 always means "the fabric default". The bounds keep every value far from overflowing when converted (MiB/s to
 * bytes/s, ms to ns) and reject objectives no migration could honour or that would hold a reservation for days.
 */
public final class MigrationRules {
    /** 1 TB/s: more than any link; {@code × 2^20} still fits in a long with room to spare. */
    public static final long MAX_BANDWIDTH_MIBPS = 1_000_000;
    /** A pause longer than a minute is an outage, not a live migration. */
    public static final long MAX_DOWNTIME_MS = 60_000;
    /** A migration holds the target's capacity while it runs: one day at most. */
    public static final long MAX_DURATION_MS = 24L * 60 * 60 * 1000;

    private MigrationRules() {}

    public static MigrateVsiRequest validate(MigrateVsiRequest request) {
        FieldRules.dnsLabel("name", request.getName());
        FieldRules.optionalDnsLabel("to", request.getTo());
        bandwidthMibps("max_bandwidth_mibps", request.getMaxBandwidthMibps());
        downtimeMs("max_downtime_ms", request.getMaxDowntimeMs());
        durationMs("max_duration_ms", request.getMaxDurationMs());
        return request;
    }

    public static long bandwidthMibps(String field, long value) {
        return FieldRules.within(field, value, 0, MAX_BANDWIDTH_MIBPS, "MiB/s (0: uncapped)");
    }

    public static long downtimeMs(String field, long value) {
        return FieldRules.within(field, value, 0, MAX_DOWNTIME_MS, "ms (0: the default)");
    }

    public static long durationMs(String field, long value) {
        return FieldRules.within(field, value, 0, MAX_DURATION_MS, "ms (0: the default)");
    }
}
