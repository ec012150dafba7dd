package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.MigrationSchedule;
import java.util.List;
import java.util.Locale;

/**
 * The moves a rebalance proposes, in order, with the imbalance before and after, what was vetoed and why, hosts left
 * out, why the search stopped, and the moves laid out in simulated time under the budgets.
 */
public record RebalancePlan(
        double imbalanceBefore,
        double imbalanceAfter,
        List<RebalanceMove> moves,
        List<VetoedMove> vetoed,
        List<String> notes,
        String stopReason,
        MigrationSchedule schedule) {

    public RebalancePlan {
        moves = List.copyOf(moves);
        vetoed = List.copyOf(vetoed);
        notes = List.copyOf(notes);
    }

    public double migratedGib() {
        return moves.stream().mapToLong(RebalanceMove::memoryMib).sum() / 1024.0;
    }

    /** Dry-run text for operators. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "rebalance plan: imbalance %.4f -> %.4f with %d move(s), %.1f GiB%n",
                imbalanceBefore, imbalanceAfter, moves.size(), migratedGib()));
        int i = 1;
        for (RebalanceMove m : moves) {
            sb.append(String.format(Locale.ROOT,
                    "  %3d. %s (%d MiB, dirty %.1f MiB/s) %s -> %s: %.1f s, downtime %.0f ms, imbalance after %.4f%n",
                    i++, m.vsiName(), m.memoryMib(), m.dirtyRateMibps(), m.fromHost(), m.toHost(),
                    m.cost().totalSeconds(), m.cost().downtimeSeconds() * 1000, m.imbalanceAfter()));
        }
        for (VetoedMove v : vetoed) {
            sb.append("  vetoed: ").append(v.vsiName()).append(' ').append(v.fromHost()).append(" -> ")
                    .append(v.toHost()).append(": ").append(v.reason()).append('\n');
        }
        for (String note : notes) {
            sb.append("  ").append(note).append('\n');
        }
        sb.append("stopped: ").append(stopReason).append('\n');
        sb.append(String.format(Locale.ROOT, "ETA %.1f s in %d wave(s) (simulated with the cost model)%n",
                schedule.etaSeconds(), schedule.waves()));
        return sb.toString();
    }
}
