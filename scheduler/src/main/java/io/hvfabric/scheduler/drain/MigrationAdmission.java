package io.hvfabric.scheduler.drain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which pending migrations may start now without exceeding the budgets: per-host outgoing and incoming counts,
 * the cluster-wide count, and on each host the sum of bandwidths of the migrations it sends plus receives against its
 * NIC. Pure: the caller passes what is in flight and gets back what to start.
 */
public final class MigrationAdmission {

    private MigrationAdmission() {}

    /**
     * The pending transfers that may start now, in the given (priority) order. A transfer that does not fit is skipped
     * rather than blocking the ones behind it, so a big move waiting for bandwidth does not idle a free link.
     */
    public static List<Transfer> admit(List<Transfer> inFlight, List<Transfer> pending, MigrationBudgets budgets) {
        Usage usage = new Usage();
        for (Transfer t : inFlight) {
            usage.add(t);
        }
        List<Transfer> admitted = new ArrayList<>();
        for (Transfer t : pending) {
            if (usage.total >= budgets.maxClusterWide()) {
                break;
            }
            if (usage.fits(t, budgets)) {
                usage.add(t);
                admitted.add(t);
            }
        }
        return admitted;
    }

    /** Running counts of what is in flight plus what was admitted so far. */
    private static final class Usage {
        final Map<String, Integer> outgoing = new HashMap<>();
        final Map<String, Integer> incoming = new HashMap<>();
        final Map<String, Long> mbps = new HashMap<>();
        int total;

        boolean fits(Transfer t, MigrationBudgets b) {
            return outgoing.getOrDefault(t.fromHost(), 0) < b.maxOutgoingPerHost()
                    && incoming.getOrDefault(t.toHost(), 0) < b.maxIncomingPerHost()
                    && mbps.getOrDefault(t.fromHost(), 0L) + t.mbps() <= b.nicMbps(t.fromHost())
                    && mbps.getOrDefault(t.toHost(), 0L) + t.mbps() <= b.nicMbps(t.toHost());
        }

        void add(Transfer t) {
            outgoing.merge(t.fromHost(), 1, Integer::sum);
            incoming.merge(t.toHost(), 1, Integer::sum);
            mbps.merge(t.fromHost(), t.mbps(), Long::sum);
            mbps.merge(t.toHost(), t.mbps(), Long::sum);
            total++;
        }
    }
}
