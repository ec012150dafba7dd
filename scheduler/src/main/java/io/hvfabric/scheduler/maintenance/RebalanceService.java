package io.hvfabric.scheduler.maintenance;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.RebalancePlan;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.migrate.MigrationController;
import io.hvfabric.scheduler.migrate.MigrationOperations;
import io.hvfabric.scheduler.rebalance.Cooldown;
import io.hvfabric.scheduler.rebalance.RebalanceMove;
import io.hvfabric.scheduler.rebalance.RebalanceOptions;
import io.hvfabric.scheduler.rebalance.RebalancePlanner;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans rebalancing moves on the live cluster and, when asked, turns them into migration records (only the
 * migration controller migrates). An optional automatic mode plans every interval and acts when the imbalance is
 * above the threshold and nothing else is moving; VSIs moved within the cooldown are left alone.
 */
public final class RebalanceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RebalanceService.class);
    private static final Gauge IMBALANCE = Gauge.builder()
            .name("hvf_cluster_imbalance")
            .help("standard deviation of per-host normalized load (CPU and memory)")
            .register();
    private static final Counter MOVES = Counter.builder()
            .name("hvf_rebalance_moves_total")
            .help("rebalancing moves, by outcome: planned or started")
            .labelNames("outcome")
            .register();

    private final ClusterView view;
    private final PlacementInputs inputs;
    private final RebalancePlanner planner;
    private final MigrationBudgets budgets;
    private final MigrationOperations migrations;
    private final MigrationController migrationController;
    private final Supplier<Optional<Term>> leading;
    private final Duration interval;
    private final double threshold;
    private final Duration cooldown;
    private final Thread thread;
    private volatile boolean closed;

    public RebalanceService(ClusterView view, PlacementInputs inputs, RebalancePlanner planner,
                            MigrationBudgets budgets, MigrationOperations migrations,
                            MigrationController migrationController, Supplier<Optional<Term>> leading,
                            Duration interval, double threshold, Duration cooldown) {
        this.view = view;
        this.inputs = inputs;
        this.planner = planner;
        this.budgets = budgets;
        this.migrations = migrations;
        this.migrationController = migrationController;
        this.leading = leading;
        this.interval = interval;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.thread = new Thread(this::auto, "rebalancer");
        this.thread.setDaemon(true);
    }

    public void start() {
        if (!interval.isZero()) {
            thread.start();
        }
    }

    /** Plans on the current cluster; unless a dry run, starts the moves the budgets allow now. */
    public RebalancePlan rebalance(Term term, boolean dryRun) {
        var plan = planner.plan(Snapshots.of(view, inputs), RebalanceOptions.DEFAULT, budgets, cooldown());
        IMBALANCE.set(plan.imbalanceBefore());
        RebalancePlan.Builder answer = RebalancePlan.newBuilder()
                .setImbalanceBefore(plan.imbalanceBefore())
                .setImbalanceAfter(plan.imbalanceAfter())
                .addAllNotes(plan.notes())
                .setPlanText(plan.render());
        plan.vetoed().forEach(v -> answer.addNotes("vetoed " + v.vsiName() + " " + v.fromHost() + "→" + v.toHost()
                + ": " + v.reason()));
        int inFlight = (int) view.migrations().stream()
                .filter(m -> !MigrationPhases.isTerminal(m.value().getPhase())).count();
        for (RebalanceMove move : plan.moves()) {
            var proto = io.hvfabric.proto.v1.RebalanceMove.newBuilder()
                    .setVsi(move.vsiName())
                    .setFrom(move.fromHost())
                    .setTo(move.toHost())
                    .setPredictedSeconds(move.cost().precopySeconds() + move.cost().downtimeSeconds())
                    .setPredictedDowntimeMs(move.cost().downtimeSeconds() * 1000);
            MOVES.labelValues("planned").inc();
            if (!dryRun) {
                if (inFlight >= budgets.maxClusterWide()) {
                    answer.addNotes(move.vsiName() + ": over the cluster-wide migration budget; left for the next run");
                } else {
                    try {
                        Migration m = migrations.accept(term, MigrateVsiRequest.newBuilder()
                                .setName(move.vsiName()).setTo(move.toHost()).build(), 10, "rebalancer");
                        migrationController.start(term, m.getId());
                        proto.setMigrationId(m.getId());
                        MOVES.labelValues("started").inc();
                        inFlight++;
                    } catch (FabricException e) {
                        if (e.code() == ErrorCode.NOT_LEADER) {
                            throw e;
                        }
                        answer.addNotes(move.vsiName() + ": not started: " + e.getMessage());
                    }
                }
            }
            answer.addMoves(proto);
        }
        return answer.build();
    }

    /** VSIs migrated within the cooldown window are not moved again (no back-and-forth). */
    private Cooldown cooldown() {
        Map<String, Instant> lastMoved = new HashMap<>();
        for (Versioned<Migration> v : view.migrations()) {
            Migration m = v.value();
            if (m.getPhase() == Migration.Phase.COMPLETED) {
                Instant at = Times.instant(m.getCreatedAt());
                lastMoved.merge(m.getName(), at, (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        return new Cooldown(cooldown, Instant.now(), lastMoved);
    }

    private void auto() {
        while (!closed) {
            try {
                Thread.sleep(interval.toMillis());
                Optional<Term> term = leading.get();
                boolean busy = view.migrations().stream().anyMatch(m -> !MigrationPhases.isTerminal(m.value().getPhase()))
                        || view.drains().stream().anyMatch(d -> !DrainPhases.isTerminal(d.value().getPhase()));
                if (term.isEmpty() || busy) {
                    continue;
                }
                RebalancePlan dry = rebalance(term.get(), true);
                if (dry.getImbalanceBefore() > threshold && dry.getMovesCount() > 0) {
                    RebalancePlan done = rebalance(term.get(), false);
                    LOG.info("auto-rebalance: imbalance {} → {} with {} move(s)", done.getImbalanceBefore(),
                            done.getImbalanceAfter(), done.getMovesCount());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("auto-rebalance pass failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
