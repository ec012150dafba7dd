package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * How many live migrations may run at once, and how much link bandwidth they may take.
 *
 * @param maxOutgoingPerHost migrations a host may send at once (default 2)
 * @param maxIncomingPerHost migrations a host may receive at once (default 2)
 * @param maxClusterWide migrations in flight in the whole cluster (default 5)
 * @param perMigrationMbps bandwidth cap of one migration (QEMU's max-bandwidth); a move uses the smaller of this and
 *     both hosts' NIC bandwidth left for migrations
 * @param nicMbpsByHost each host's NIC bandwidth left for migrations (see {@link #migrationShare}: the NIC minus what
 *     its vNICs are guaranteed); concurrent migrations on one side of a link never sum above it
 */
public record MigrationBudgets(
        int maxOutgoingPerHost,
        int maxIncomingPerHost,
        int maxClusterWide,
        long perMigrationMbps,
        Map<String, Long> nicMbpsByHost) {

    public static final int DEFAULT_OUTGOING_PER_HOST = 2;
    public static final int DEFAULT_INCOMING_PER_HOST = 2;
    public static final int DEFAULT_CLUSTER_WIDE = 5;
    /** Half of a 10 Gbit/s NIC, so the default two outgoing migrations together fill it. */
    public static final long DEFAULT_PER_MIGRATION_MBPS = 5_000;
    /**
     * What a migration gets on a host whose vNIC guarantees leave less: 1 MiB/s (8.39 Mbit/s, rounded up), QEMU's
     * smallest cap in the whole MiB/s the fabric gives it, so even a host whose tenants hold its whole NIC can still be
     * drained (slowly). Only then do migrations and guarantees together exceed the NIC, by at most this much per
     * migration.
     */
    public static final long MIN_MIGRATION_MBPS = 9;

    public MigrationBudgets {
        requireAtLeastOne("maxOutgoingPerHost", maxOutgoingPerHost);
        requireAtLeastOne("maxIncomingPerHost", maxIncomingPerHost);
        requireAtLeastOne("maxClusterWide", maxClusterWide);
        requireAtLeastOne("perMigrationMbps", perMigrationMbps);
        nicMbpsByHost = nicMbpsByHost == null ? Map.of() : Map.copyOf(nicMbpsByHost);
        nicMbpsByHost.forEach((host, mbps) -> {
            if (mbps < 1) {
                throw new IllegalArgumentException(
                        "MigrationBudgets.nicMbpsByHost['" + host + "'] must be >= 1, got " + mbps);
            }
        });
    }

    /** Defaults with no NIC bandwidths yet; add them with {@link #withNicsOf}. */
    public static MigrationBudgets defaults() {
        return new MigrationBudgets(DEFAULT_OUTGOING_PER_HOST, DEFAULT_INCOMING_PER_HOST, DEFAULT_CLUSTER_WIDE,
                DEFAULT_PER_MIGRATION_MBPS, Map.of());
    }

    /**
     * These budgets with the migration bandwidth of each given host that has none yet: its NIC capacity minus the
     * bandwidth its vNICs are guaranteed (the {@code nicMbps} it has allocated, reservations of incoming migrations
     * included), see {@link #migrationShare}. Tenant traffic is shaped to those guarantees, so migrations within this
     * share never squeeze it. Hosts without a NIC figure (0 Mbps) get none here, so asking for them later fails loudly
     * rather than guessing.
     */
    public MigrationBudgets withNicsOf(Collection<HostCandidate> hosts) {
        Map<String, Long> merged = new HashMap<>(nicMbpsByHost);
        for (HostCandidate h : hosts) {
            if (h.capacity().nicMbps() > 0) {
                merged.putIfAbsent(h.id(), migrationShare(h.capacity().nicMbps(), h.allocated().nicMbps()));
            }
        }
        return new MigrationBudgets(maxOutgoingPerHost, maxIncomingPerHost, maxClusterWide, perMigrationMbps, merged);
    }

    /**
     * The bandwidth migrations may use on a NIC of {@code nicMbps} whose vNICs are guaranteed {@code guaranteedMbps}:
     * the rest, but never less than {@link #MIN_MIGRATION_MBPS} (nor more than the NIC).
     */
    public static long migrationShare(long nicMbps, long guaranteedMbps) {
        if (nicMbps < 1) {
            throw new IllegalArgumentException("MigrationBudgets.migrationShare: nicMbps must be >= 1, got " + nicMbps);
        }
        if (guaranteedMbps < 0) {
            throw new IllegalArgumentException(
                    "MigrationBudgets.migrationShare: guaranteedMbps must be >= 0, got " + guaranteedMbps);
        }
        return Math.max(Math.min(nicMbps, MIN_MIGRATION_MBPS), nicMbps - guaranteedMbps);
    }

    public long nicMbps(String hostId) {
        Long mbps = nicMbpsByHost.get(hostId);
        if (mbps == null) {
            throw new IllegalArgumentException("MigrationBudgets.nicMbpsByHost has no entry for host '" + hostId
                    + "': every host that sends or receives a migration needs its NIC bandwidth");
        }
        return mbps;
    }

    /** The bandwidth one migration from {@code from} to {@code to} uses. */
    public long bandwidthFor(String from, String to) {
        return Math.min(perMigrationMbps, Math.min(nicMbps(from), nicMbps(to)));
    }

    private static void requireAtLeastOne(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException("MigrationBudgets." + field + " must be >= 1, got " + value);
        }
    }
}
