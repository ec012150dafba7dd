package io.hvfabric.scheduler.drain;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays planned moves out in time: at t=0 and whenever a migration finishes, {@link MigrationAdmission} starts what the
 * budgets allow, in plan order; each move lasts what the cost model predicts at its bandwidth. The result is an ETA,
 * not a promise: real migrations are watched by the migration controller.
 *
 * <p>A move into host X waits until every earlier move out of X has finished, because the plan counted on the space
 * those moves free.
 */
public final class MigrationSimulator {

    /** A move to simulate: its transfer and what the cost model needs about the VSI. */
    public record Step(Transfer transfer, long memoryMib, double dirtyRateMibps) {}

    private final MoveCostModel costModel;

    public MigrationSimulator(MoveCostModel costModel) {
        if (costModel == null) {
            throw new IllegalArgumentException("MigrationSimulator.costModel must be set");
        }
        this.costModel = costModel;
    }

    public MigrationSchedule simulate(List<Step> steps, MigrationBudgets budgets) {
        int n = steps.size();
        MoveCost[] costs = new MoveCost[n];
        for (int i = 0; i < n; i++) {
            Step s = steps.get(i);
            costs[i] = costModel.predict(s.memoryMib(), s.dirtyRateMibps(), s.transfer().mbps());
        }
        int[][] dependencies = dependencies(steps);
        double[] end = new double[n];
        boolean[] started = new boolean[n];
        List<ScheduledMove> scheduled = new ArrayList<>(n);
        List<Integer> running = new ArrayList<>();
        double now = 0;
        int waves = 0;
        while (scheduled.size() < n) {
            List<Transfer> inFlight = new ArrayList<>();
            for (int r : running) {
                inFlight.add(steps.get(r).transfer());
            }
            List<Integer> eligible = new ArrayList<>();
            List<Transfer> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!started[i] && dependenciesDone(dependencies[i], started, end, now)) {
                    eligible.add(i);
                    pending.add(steps.get(i).transfer());
                }
            }
            List<Transfer> admitted = MigrationAdmission.admit(inFlight, pending, budgets);
            if (!admitted.isEmpty()) {
                int k = 0;
                for (int idx = 0; idx < eligible.size() && k < admitted.size(); idx++) {
                    int i = eligible.get(idx);
                    if (steps.get(i).transfer() == admitted.get(k)) {
                        k++;
                        started[i] = true;
                        end[i] = now + costs[i].totalSeconds();
                        running.add(i);
                        scheduled.add(new ScheduledMove(steps.get(i).transfer(), costs[i], now, end[i], waves));
                    }
                }
                waves++;
            }
            if (running.isEmpty()) {
                if (scheduled.size() < n) {
                    throw new IllegalStateException("moves cannot start even with nothing in flight; check that "
                            + "each move's mbps is within both hosts' NIC bandwidth");
                }
                break;
            }
            double next = Double.MAX_VALUE;
            for (int r : running) {
                next = Math.min(next, end[r]);
            }
            now = next;
            final double t = now;
            running.removeIf(r -> end[r] <= t);
        }
        double eta = 0;
        for (ScheduledMove m : scheduled) {
            eta = Math.max(eta, m.endSeconds());
        }
        return new MigrationSchedule(scheduled, eta, waves);
    }

    private static boolean dependenciesDone(int[] dependencies, boolean[] started, double[] end, double now) {
        for (int j : dependencies) {
            if (!started[j] || end[j] > now) {
                return false;
            }
        }
        return true;
    }

    /** For each move, the earlier moves out of its target host. */
    private static int[][] dependencies(List<Step> steps) {
        java.util.Map<String, List<Integer>> outOf = new java.util.HashMap<>();
        int[][] deps = new int[steps.size()][];
        for (int i = 0; i < steps.size(); i++) {
            Transfer t = steps.get(i).transfer();
            deps[i] = outOf.getOrDefault(t.toHost(), List.of()).stream().mapToInt(Integer::intValue).toArray();
            outOf.computeIfAbsent(t.fromHost(), h -> new ArrayList<>()).add(i);
        }
        return deps;
    }
}
