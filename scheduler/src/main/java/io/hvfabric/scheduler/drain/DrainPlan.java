package io.hvfabric.scheduler.drain;

import java.util.List;
import java.util.Locale;

/**
 * Where every VSI of a drained host goes (or why it cannot), in the order the moves should start, with an ETA from
 * simulating the moves under the migration budgets. A plan only describes moves: the drain controller turns it into
 * migration records.
 *
 * @param steps one per VSI on the host, in plan order
 * @param schedule the movable steps laid out in simulated time
 */
public record DrainPlan(String hostId, List<DrainStep> steps, MigrationSchedule schedule, MigrationBudgets budgets) {

    public DrainPlan {
        steps = List.copyOf(steps);
    }

    public List<DrainStep> moves() {
        return steps.stream().filter(DrainStep::movable).toList();
    }

    public List<DrainStep> unmovable() {
        return steps.stream().filter(s -> !s.movable()).toList();
    }

    public double etaSeconds() {
        return schedule.etaSeconds();
    }

    /** The step for {@code vsiName}; fails naming it if the plan has none. */
    public DrainStep step(String vsiName) {
        return steps.stream()
                .filter(s -> s.vsi().name().equals(vsiName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "drain plan for host '" + hostId + "' has no vsi '" + vsiName + "'"));
    }

    /** Dry-run text for operators: the moves, the VSIs that cannot move and why, and the ETA. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        List<DrainStep> moves = moves();
        List<DrainStep> stuck = unmovable();
        sb.append(String.format(Locale.ROOT, "drain plan for host '%s': %d vsi(s), %d move(s), %d cannot move%n",
                hostId, steps.size(), moves.size(), stuck.size()));
        int i = 1;
        for (DrainStep s : moves) {
            ScheduledMove when = scheduled(s.vsi().name());
            sb.append(String.format(Locale.ROOT,
                    "  %2d. %s (%d MiB, dirty %.1f MiB/s) -> %s at %d Mbps: wave %d, starts %.1f s, takes %.1f s, "
                            + "downtime %.0f ms%s%n",
                    i++, s.vsi().name(), s.vsi().memoryMib(), s.vsi().dirtyRateMibps(), s.target(), s.mbps(),
                    when == null ? -1 : when.wave(), when == null ? 0.0 : when.startSeconds(),
                    s.cost().totalSeconds(), s.cost().downtimeSeconds() * 1000,
                    s.cost().converges() ? "" : "  WARNING: predicted not to converge (needs auto-converge or post-copy)"));
        }
        if (!stuck.isEmpty()) {
            sb.append("cannot move:\n");
            for (DrainStep s : stuck) {
                sb.append("  ").append(s.vsi().name()).append(": ").append(s.reason()).append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT,
                "ETA %.1f s in %d wave(s) (simulated with the cost model; budgets: %d out / %d in per host, %d "
                        + "cluster-wide, %d Mbps per migration)%n",
                etaSeconds(), schedule.waves(), budgets.maxOutgoingPerHost(), budgets.maxIncomingPerHost(),
                budgets.maxClusterWide(), budgets.perMigrationMbps()));
        if (!stuck.isEmpty()) {
            sb.append("the host cannot be emptied until the vsis above can move\n");
        }
        return sb.toString();
    }

    private ScheduledMove scheduled(String vsiName) {
        for (ScheduledMove m : schedule.moves()) {
            if (m.transfer().vsiName().equals(vsiName)) {
                return m;
            }
        }
        return null;
    }
}
