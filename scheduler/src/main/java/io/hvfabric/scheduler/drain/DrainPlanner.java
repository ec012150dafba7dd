package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Plans the evacuation of one host: a target for every VSI chosen by the placement pipeline, each choice seeing the
 * reservations of the previous ones, so the VSIs are bin-packed across targets without overcommitting any of them.
 * The pipeline's filters keep targets READY and schedulable (never cordoned, draining or down), on the source's
 * accelerator and CPU model (live migration needs both), and within anti-affinity.
 *
 * <p><b>Order: largest memory first; among equal memory, lowest dirty rate first; then by name.</b> Largest first is
 * first-fit-decreasing: big VSIs have the fewest hosts that can take them, so they reserve space before small ones
 * fragment it, and fewer VSIs end up unmovable. It is also longest-job-first, which keeps the makespan of concurrent
 * waves short (the long transfers start at once and small ones fill the gaps). Among equals, low dirty rates go first
 * because they converge quickly and surely, so VSIs leave the host early and an interrupted drain has done the most
 * work. The plan order is also the admission priority of the moves.
 */
public final class DrainPlanner {

    static final Comparator<VsiLoad> ORDER = Comparator.comparingLong(VsiLoad::memoryMib)
            .reversed()
            .thenComparingDouble(VsiLoad::dirtyRateMibps)
            .thenComparing(VsiLoad::name);

    private final PlacementPipeline pipeline;
    private final MoveCostModel costModel;
    private final MigrationSimulator simulator;

    public DrainPlanner(PlacementPipeline pipeline, MoveCostModel costModel) {
        if (pipeline == null || costModel == null) {
            throw new IllegalArgumentException("DrainPlanner needs a placement pipeline and a cost model");
        }
        this.pipeline = pipeline;
        this.costModel = costModel;
        this.simulator = new MigrationSimulator(costModel);
    }

    /** Plans moving every VSI off {@code hostId}. The host's own state does not matter: it is excluded as a target. */
    public DrainPlan plan(String hostId, ClusterSnapshot cluster, MigrationBudgets budgets) {
        HostLoad drained = cluster.requireHost(hostId);
        MigrationBudgets withNics = budgets.withNicsOf(cluster.candidates());
        List<HostCandidate> hosts = cluster.candidates();
        List<VsiLoad> ordered = new ArrayList<>(drained.vsis());
        ordered.sort(ORDER);
        List<DrainStep> steps = new ArrayList<>();
        for (VsiLoad vsi : ordered) {
            DrainStep step = place(vsi, drained.host(), Set.of(hostId), hosts, withNics);
            steps.add(step);
            if (step.movable()) {
                reserve(hosts, step.target(), vsi);
            }
        }
        return new DrainPlan(hostId, steps, schedule(steps, withNics), withNics);
    }

    /**
     * A new plan in which {@code failedVsi}, whose migration to its planned target failed, gets another target (never
     * the one that failed, nor the drained host). {@code current} is the cluster now: moves already done are in it;
     * moves still pending keep their targets and their reservations count. The ETA covers the moves still pending.
     */
    public DrainPlan replan(DrainPlan plan, String failedVsi, ClusterSnapshot current) {
        DrainStep failed = plan.step(failedVsi);
        if (!failed.movable()) {
            throw new IllegalArgumentException("vsi '" + failedVsi + "' had no target in the drain plan for host '"
                    + plan.hostId() + "', so no migration of it can have failed");
        }
        String where = current.hostOf(failedVsi).orElseThrow(() -> new IllegalArgumentException(
                "vsi '" + failedVsi + "' is not in the current cluster snapshot"));
        if (!where.equals(plan.hostId())) {
            throw new IllegalArgumentException("vsi '" + failedVsi + "' runs on host '" + where
                    + "', not on the drained host '" + plan.hostId() + "': nothing to replan");
        }
        MigrationBudgets budgets = plan.budgets().withNicsOf(current.candidates());
        List<HostCandidate> hosts = current.candidates();
        for (DrainStep s : plan.steps()) {
            boolean pending = s.movable()
                    && !s.vsi().name().equals(failedVsi)
                    && plan.hostId().equals(current.hostOf(s.vsi().name()).orElse(null));
            if (pending) {
                reserve(hosts, s.target(), s.vsi());
            }
        }
        VsiLoad vsi = current.vsi(failedVsi).orElseThrow();
        HostCandidate source = current.requireHost(plan.hostId()).host();
        DrainStep replacement = place(vsi, source, Set.of(plan.hostId(), failed.target()), hosts, budgets);
        List<DrainStep> steps = new ArrayList<>();
        List<DrainStep> stillPending = new ArrayList<>();
        for (DrainStep s : plan.steps()) {
            DrainStep step = s.vsi().name().equals(failedVsi) ? replacement : s;
            steps.add(step);
            if (plan.hostId().equals(current.hostOf(s.vsi().name()).orElse(null))) {
                stillPending.add(step);
            }
        }
        return new DrainPlan(plan.hostId(), steps, schedule(stillPending, budgets), budgets);
    }

    private DrainStep place(
            VsiLoad vsi, HostCandidate source, Set<String> excluded, List<HostCandidate> hosts, MigrationBudgets b) {
        PlacementRequest request = new PlacementRequest(vsi.name(), vsi.demand(), vsi.antiAffinityGroup(), null,
                source.accelerator(), source.cpuModel(), excluded, vsi.networkMtu());
        PlacementResult result = pipeline.place(request, hosts);
        if (result.chosenHost().isEmpty()) {
            return DrainStep.unmovable(vsi, source.id(), result.explain());
        }
        String target = result.chosenHost().get();
        long mbps = b.bandwidthFor(source.id(), target);
        return DrainStep.move(vsi, source.id(), target, mbps, costModel.predict(vsi.memoryMib(), vsi.dirtyRateMibps(), mbps));
    }

    private static void reserve(List<HostCandidate> hosts, String target, VsiLoad vsi) {
        hosts.replaceAll(h -> h.id().equals(target) ? h.withPlaced(vsi.demand(), vsi.antiAffinityGroup()) : h);
    }

    private MigrationSchedule schedule(List<DrainStep> steps, MigrationBudgets budgets) {
        List<MigrationSimulator.Step> sim = new ArrayList<>();
        for (DrainStep s : steps) {
            s.transfer().ifPresent(t -> sim.add(
                    new MigrationSimulator.Step(t, s.vsi().memoryMib(), s.vsi().dirtyRateMibps())));
        }
        return simulator.simulate(sim, budgets);
    }
}
