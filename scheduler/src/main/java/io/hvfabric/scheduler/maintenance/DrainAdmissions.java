package io.hvfabric.scheduler.maintenance;

import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.drain.MigrationAdmission;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.Transfer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which of a drain's planned moves may start now. Every migration in flight in the cluster counts against the
 * budgets (whoever started it), each with the bandwidth it may use: its own cap, or the link share a drain would give
 * it when it runs uncapped. Admitted moves are started with exactly their share as QEMU's max-bandwidth, so the
 * sum on each host's NIC stays within what the agent reported. Pure.
 */
final class DrainAdmissions {
    private static final double BYTES_PER_MBIT = 1_000_000.0 / 8;
    private static final double BYTES_PER_MIB = 1024.0 * 1024;

    private DrainAdmissions() {}

    /** A move to start and the bandwidth cap to start it with. */
    record Admitted(DrainMove move, long maxBandwidthMibps) {}

    static List<Admitted> admit(Drain drain, Collection<Migration> migrations, MigrationBudgets known) {
        return admit(drain, migrations, known, move -> true);
    }

    /** @param ready false for a planned move that must not start yet (a retry still backing off) */
    static List<Admitted> admit(Drain drain, Collection<Migration> migrations, MigrationBudgets known,
                                Predicate<DrainMove> ready) {
        MigrationBudgets budgets = withEveryHost(known, drain, migrations);
        List<Transfer> inFlight = new ArrayList<>();
        long mine = 0;
        for (Migration m : migrations) {
            if (MigrationPhases.isTerminal(m.getPhase())) {
                continue;
            }
            long cap = m.getObjective().getMaxBandwidthMibps();
            inFlight.add(new Transfer(m.getName(), m.getFrom(), m.getTo(),
                    cap > 0 ? Math.max(1, mibpsToMbps(cap)) : linkShare(budgets, m.getFrom(), m.getTo())));
        }
        for (DrainMove move : drain.getMovesList()) {
            if (DrainController.MIGRATING.equals(move.getState())) {
                mine++;
            }
        }
        Map<String, DrainMove> planned = new LinkedHashMap<>();
        List<Transfer> pending = new ArrayList<>();
        drain.getMovesList().stream()
                .filter(m -> DrainController.PLANNED.equals(m.getState()) && ready.test(m))
                .sorted(Comparator.comparingInt(DrainMove::getOrder))
                .forEach(m -> {
                    planned.put(m.getVsi(), m);
                    pending.add(new Transfer(m.getVsi(), drain.getHost(), m.getTo(),
                            linkShare(budgets, drain.getHost(), m.getTo())));
                });
        long room = drain.getMaxParallel() > 0 ? Math.max(0, drain.getMaxParallel() - mine) : Long.MAX_VALUE;
        List<Admitted> admitted = new ArrayList<>();
        for (Transfer t : MigrationAdmission.admit(inFlight, pending, budgets)) {
            if (admitted.size() >= room) {
                break;
            }
            admitted.add(new Admitted(planned.get(t.vsiName()), Math.max(1, mbpsToMibps(t.mbps()))));
        }
        return admitted;
    }

    private static long linkShare(MigrationBudgets budgets, String from, String to) {
        return budgets.bandwidthFor(from, to);
    }

    /** A host that reported no NIC figure does not limit bandwidth (its count budgets still apply). */
    private static MigrationBudgets withEveryHost(MigrationBudgets budgets, Drain drain, Collection<Migration> migrations) {
        Map<String, Long> nics = new HashMap<>(budgets.nicMbpsByHost());
        nics.putIfAbsent(drain.getHost(), Long.MAX_VALUE);
        drain.getMovesList().forEach(m -> {
            if (!m.getTo().isEmpty()) {
                nics.putIfAbsent(m.getTo(), Long.MAX_VALUE);
            }
        });
        migrations.forEach(m -> {
            nics.putIfAbsent(m.getFrom(), Long.MAX_VALUE);
            nics.putIfAbsent(m.getTo(), Long.MAX_VALUE);
        });
        return new MigrationBudgets(budgets.maxOutgoingPerHost(), budgets.maxIncomingPerHost(),
                budgets.maxClusterWide(), budgets.perMigrationMbps(), nics);
    }

    static long mbpsToMibps(long mbps) {
        return (long) Math.floor(mbps * BYTES_PER_MBIT / BYTES_PER_MIB);
    }

    static long mibpsToMbps(long mibps) {
        return (long) Math.ceil(mibps * BYTES_PER_MIB / BYTES_PER_MBIT);
    }
}
