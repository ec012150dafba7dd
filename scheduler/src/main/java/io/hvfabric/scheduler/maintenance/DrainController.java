package io.hvfabric.scheduler.maintenance;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.drain.DrainPlan;
import io.hvfabric.scheduler.drain.DrainPlanner;
import io.hvfabric.scheduler.drain.DrainStep;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.hosts.HostRegistry;
import io.hvfabric.scheduler.hosts.HostStates;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.migrate.MigrationController;
import io.hvfabric.scheduler.migrate.MigrationOperations;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.prometheus.metrics.core.metrics.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains: one durable plan per host, carried forward by whichever replica leads. The controller never migrates by
 * itself: it admits planned moves as migration records within the budgets (per host out/in, cluster-wide, and
 * max-parallel), watches them end, re-plans a VSI whose migration failed, and finishes the drain: MAINTENANCE when
 * the host is empty, PARTIAL (host stays cordoned) when some VSIs could not move.
 */
public final class DrainController implements AutoCloseable {
    static final String PLANNED = "PLANNED";
    static final String MIGRATING = "MIGRATING";
    static final String DONE = "DONE";
    static final String UNMOVABLE = "UNMOVABLE";
    private static final int MAX_ATTEMPTS = 5;
    private static final long PASS_INTERVAL_MS = 1000;
    private static final long MIN_PASS_SPACING_MS = 250;
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(DrainController.class);
    private static final Gauge DRAINS = Gauge.builder()
            .name("hvf_drains")
            .help("drains recorded in etcd, by phase (RUNNING, PAUSED and CANCELLING are in progress)")
            .labelNames("phase")
            .register();

    private final ClusterView view;
    private final Keys keys;
    private final FencedWriter writer;
    private final DrainPlanner planner;
    private final PlacementInputs inputs;
    private final HostRegistry hosts;
    private final MigrationOperations migrations;
    private final MigrationController migrationController;
    private final BiFunction<String, String, String> reachability;
    private final Supplier<Optional<Term>> leading;
    private final MigrationBudgets budgets;
    private final Thread thread;
    private final Semaphore changes = new Semaphore(0);
    private final ClusterView.ChangeListener wakeOnChange = revision -> changes.release();
    private volatile boolean closed;

    public DrainController(ClusterView view, Keys keys, FencedWriter writer, DrainPlanner planner,
                           PlacementInputs inputs, HostRegistry hosts, MigrationOperations migrations,
                           MigrationController migrationController, BiFunction<String, String, String> reachability,
                           Supplier<Optional<Term>> leading, MigrationBudgets budgets) {
        this.view = view;
        this.keys = keys;
        this.writer = writer;
        this.planner = planner;
        this.inputs = inputs;
        this.hosts = hosts;
        this.migrations = migrations;
        this.migrationController = migrationController;
        this.reachability = reachability;
        this.leading = leading;
        this.budgets = budgets;
        this.thread = new Thread(this::loop, "drain-controller");
        this.thread.setDaemon(true);
    }

    public void start() {
        view.addListener(wakeOnChange);
        thread.start();
    }

    // ---- operator requests (leader) ----

    /** Plans the drain; unless a dry run, records it and cordons the host in one transaction. */
    public Drain drain(Term term, DrainHostRequest request) {
        String hostId = request.getHost();
        HostRecord host = view.host(hostId).orElseThrow(() -> FabricException.notFound("host", hostId)).value();
        if (request.getMaxParallel() < 0) {
            throw FabricException.invalidArgument("max_parallel", "must not be negative (got %d)",
                    request.getMaxParallel());
        }
        Host.State state = HostStates.derive(host, view.alive(hostId).isPresent(), reachability.apply("agent", hostId));
        if (state == Host.State.DOWN) {
            throw FabricException.failedPrecondition(
                    "host '%s' is DOWN: its VSIs cannot be live-migrated (the agent must be up)", hostId);
        }
        Optional<Versioned<Drain>> existing = view.drain(hostId);
        if (existing.isPresent() && !DrainPhases.isTerminal(existing.get().value().getPhase())) {
            throw FabricException.alreadyExists("drain of host", hostId);
        }
        ClusterSnapshot snapshot = Snapshots.of(view, inputs);
        DrainPlan plan = planner.plan(hostId, snapshot, budgets);
        Drain drain = toRecord(hostId, plan, request.getMaxParallel());
        if (request.getDryRun()) {
            return drain;
        }
        ByteSequence drainKey = keys.of(Keys.Kind.DRAIN, hostId);
        ByteSequence hostKey = keys.of(Keys.Kind.HOST, hostId);
        Versioned<HostRecord> hostNow = view.host(hostId).orElseThrow();
        HostRecord draining = hostNow.value().toBuilder().setAdminState("DRAINING").build();
        FencedWriter.Outcome outcome = writer.commit(term,
                List.of(existing.isPresent()
                                ? new Cmp(drainKey, Cmp.Op.EQUAL, CmpTarget.modRevision(existing.get().modRevision()))
                                : new Cmp(drainKey, Cmp.Op.EQUAL, CmpTarget.version(0)),
                        new Cmp(hostKey, Cmp.Op.EQUAL, CmpTarget.modRevision(hostNow.modRevision()))),
                List.of(Op.put(drainKey, RecordCodec.encode(drain), PutOption.DEFAULT),
                        Op.put(hostKey, RecordCodec.encode(draining), PutOption.DEFAULT)));
        view.awaitRevision(outcome.revision(), 5000);
        if (!outcome.committed()) {
            throw FabricException.unavailable("host '%s' changed while the drain was planned; retry", hostId);
        }
        LOG.info("drain of {} accepted: {} moves, {} unmovable, ETA {} s", hostId, plan.moves().size(),
                plan.unmovable().size(), Math.round(plan.etaSeconds()));
        return drain;
    }

    public Drain setPhase(Term term, String hostId, Drain.Phase phase, boolean uncordon) {
        return update(term, hostId, d -> {
            if (DrainPhases.isTerminal(d.getPhase())) {
                throw FabricException.failedPrecondition("drain of host '%s' already ended %s", hostId, d.getPhase());
            }
            if (d.getPhase() == Drain.Phase.CANCELLING && phase != Drain.Phase.CANCELLING) {
                throw FabricException.failedPrecondition("drain of host '%s' is being cancelled", hostId);
            }
            return d.toBuilder().setPhase(phase).setUncordonOnCancel(d.getUncordonOnCancel() || uncordon).build();
        });
    }

    private static Drain toRecord(String hostId, DrainPlan plan, int maxParallel) {
        Drain.Builder drain = Drain.newBuilder()
                .setHost(hostId)
                .setPhase(Drain.Phase.RUNNING)
                .setEtaSeconds(Math.round(plan.etaSeconds()))
                .setMaxParallel(maxParallel)
                .setPlanText(plan.render())
                .setCreatedAt(Times.now());
        int order = 0;
        for (DrainStep step : plan.steps()) {
            drain.addMoves(DrainMove.newBuilder()
                    .setVsi(step.vsi().name())
                    .setTo(step.targetHost().orElse(""))
                    .setState(step.movable() ? PLANNED : UNMOVABLE)
                    .setReason(step.reason() == null ? "" : step.reason())
                    .setMemoryMib(step.vsi().memoryMib())
                    .setOrder(order++));
        }
        return drain.build();
    }

    // ---- the loop (leader only) ----

    private void loop() {
        while (!closed) {
            try {
                countDrains();
                Optional<Term> term = leading.get();
                if (term.isPresent()) {
                    for (Versioned<Drain> d : view.drains()) {
                        if (!DrainPhases.isTerminal(d.value().getPhase())) {
                            advance(term.get(), d.value().getHost());
                        }
                    }
                }
            } catch (FabricException e) {
                if (e.code() != ErrorCode.NOT_LEADER) {
                    LOG.warn("drain pass failed: {}", e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("drain pass failed", e);
            }
            try {
                // A pass right after any change (a migration ended, a drain was paused): admitting the next move
                // should not wait for a timer. The timeout covers what no etcd change announces (a host going DOWN).
                if (changes.tryAcquire(PASS_INTERVAL_MS, TimeUnit.MILLISECONDS)) {
                    // A pass writes the drain record, which is itself a change: space passes out a little.
                    Thread.sleep(MIN_PASS_SPACING_MS);
                    changes.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Every replica exports the count from its own view, so the metric survives a failover unchanged. */
    private void countDrains() {
        EnumMap<Drain.Phase, Integer> byPhase = new EnumMap<>(Drain.Phase.class);
        for (Versioned<Drain> d : view.drains()) {
            byPhase.merge(d.value().getPhase(), 1, Integer::sum);
        }
        for (Drain.Phase phase : Drain.Phase.values()) {
            if (phase != Drain.Phase.UNRECOGNIZED && phase != Drain.Phase.PHASE_UNSPECIFIED) {
                DRAINS.labelValues(phase.name()).set(byPhase.getOrDefault(phase, 0));
            }
        }
    }

    /** One level-triggered pass over a drain: observe its migrations, admit more, or finish. */
    void advance(Term term, String hostId) {
        Drain drain = update(term, hostId, this::observeMigrations);
        if (drain.getPhase() == Drain.Phase.RUNNING) {
            drain = admit(term, drain);
        }
        boolean inFlight = drain.getMovesList().stream().anyMatch(m -> MIGRATING.equals(m.getState()));
        if (inFlight) {
            return;
        }
        if (drain.getPhase() == Drain.Phase.CANCELLING) {
            boolean uncordon = drain.getUncordonOnCancel();
            update(term, hostId, d -> d.toBuilder().setPhase(Drain.Phase.CANCELLED)
                    .setMessage(uncordon ? "cancelled; host uncordoned" : "cancelled; host stays cordoned").build());
            hosts.setAdminState(term, hostId, uncordon ? HostStates.ADMIN_READY : "CORDONED");
            return;
        }
        boolean pending = drain.getMovesList().stream().anyMatch(m -> PLANNED.equals(m.getState()));
        if (drain.getPhase() != Drain.Phase.RUNNING || pending) {
            return;
        }
        boolean empty = view.allocation(hostId).map(a -> a.value().getVsisCount() == 0).orElse(true);
        long unmovable = drain.getMovesList().stream().filter(m -> UNMOVABLE.equals(m.getState())).count();
        if (empty) {
            update(term, hostId, d -> d.toBuilder().setPhase(Drain.Phase.COMPLETED)
                    .setMessage("host holds no VSIs; in MAINTENANCE").build());
            hosts.setAdminState(term, hostId, "MAINTENANCE");
        } else {
            update(term, hostId, d -> d.toBuilder().setPhase(Drain.Phase.PARTIAL)
                    .setMessage(unmovable + " VSI(s) could not move and keep running on " + hostId).build());
            hosts.setAdminState(term, hostId, "CORDONED");
        }
    }

    /** Marks moves whose migrations ended; a failed one is re-planned to another target (bounded attempts). */
    private Drain observeMigrations(Drain drain) {
        Drain.Builder next = drain.toBuilder();
        for (int i = 0; i < next.getMovesCount(); i++) {
            DrainMove move = next.getMoves(i);
            if (!MIGRATING.equals(move.getState())) {
                continue;
            }
            Optional<Migration> m = view.migration(move.getMigrationId()).map(Versioned::value);
            if (m.isEmpty() || !MigrationPhases.isTerminal(m.get().getPhase())) {
                continue;
            }
            LOG.info("drain of {}: migration {} of {} ended {}", drain.getHost(), m.get().getId(), move.getVsi(),
                    m.get().getPhase());
            if (m.get().getPhase() == Migration.Phase.COMPLETED) {
                next.setMoves(i, move.toBuilder().setState(DONE).setReason(""));
            } else if (move.getAttempts() >= MAX_ATTEMPTS) {
                next.setMoves(i, move.toBuilder().setState(UNMOVABLE)
                        .setReason("migration failed " + move.getAttempts() + " times; last: " + m.get().getMessage()));
            } else {
                next.setMoves(i, replan(drain.getHost(), move, m.get().getTo(), m.get().getMessage()));
            }
        }
        return next.build();
    }

    private DrainMove replan(String hostId, DrainMove move, String failedTarget, String why) {
        ClusterSnapshot snapshot = Snapshots.of(view, inputs);
        DrainPlan fresh = planner.plan(hostId, snapshot, budgets);
        DrainStep step;
        try {
            step = fresh.step(move.getVsi());
        } catch (RuntimeException e) {
            step = null;
        }
        boolean stillHere = view.vsi(move.getVsi()).map(v -> hostId.equals(v.value().getHost())).orElse(false);
        boolean noTarget = step == null || step.targetHost().isEmpty();
        if (stillHere && noTarget && move.getAttempts() < MAX_ATTEMPTS) {
            // The view right after a failure can still hold reservations being released (a new leader rolls back
            // several migrations one by one): try the previous target again after the backoff; admission
            // re-checks it, and only MAX_ATTEMPTS failures make the VSI unmovable.
            return move.toBuilder().setState(PLANNED)
                    .setReason("no other target right now (" + (step == null ? "not in the plan" : step.reason())
                            + "); retrying " + move.getTo()
                            + " after migration to " + failedTarget + " failed: " + why)
                    .build();
        }
        if (noTarget) {
            return move.toBuilder().setState(UNMOVABLE).setTo("")
                    .setReason("after a failed migration (" + why + "): "
                            + (step == null ? "no longer on the host" : step.reason()))
                    .build();
        }
        return move.toBuilder().setState(PLANNED).setTo(step.targetHost().get())
                .setReason("re-planned after migration to " + failedTarget + " failed: " + why)
                .build();
    }

    /** Starts the planned moves {@link DrainAdmissions} admits, each capped at its share of the link. */
    private Drain admit(Term term, Drain drain) {
        MigrationBudgets withNics = budgets.withNicsOf(inputs.candidates());
        List<Migration> all = view.migrations().stream().map(Versioned::value).toList();
        Drain current = drain;
        Instant now = Instant.now();
        for (DrainAdmissions.Admitted admitted : DrainAdmissions.admit(drain, all, withNics,
                move -> !backingOff(move, now))) {
            DrainMove move = admitted.move();
            DrainMove started;
            try {
                Migration m = migrations.accept(term, MigrateVsiRequest.newBuilder()
                        .setName(move.getVsi()).setTo(move.getTo())
                        .setMaxBandwidthMibps(admitted.maxBandwidthMibps())
                        .build(), 100 - move.getOrder(), "drain:" + drain.getHost());
                migrationController.start(term, m.getId());
                started = move.toBuilder().setState(MIGRATING).setMigrationId(m.getId())
                        .setAttempts(move.getAttempts() + 1).build();
            } catch (FabricException e) {
                if (e.code() == ErrorCode.NOT_LEADER) {
                    throw e;
                }
                started = move.getAttempts() + 1 >= MAX_ATTEMPTS
                        ? move.toBuilder().setState(UNMOVABLE).setReason(e.getMessage()).build()
                        : replan(drain.getHost(), move.toBuilder().setAttempts(move.getAttempts() + 1).build(),
                                move.getTo(), e.getMessage());
            }
            DrainMove result = started;
            if (!MIGRATING.equals(result.getState())) {
                LOG.info("drain of {}: {} not started ({}): {}", drain.getHost(), move.getVsi(), result.getState(),
                        result.getReason());
            }
            current = update(term, drain.getHost(), d -> replaceMove(d, result));
        }
        return current;
    }

    /**
     * A move re-planned after a failed attempt waits {@link #RETRY_BACKOFF} × attempts after that migration ended: a
     * failure that a moment heals (a rolled-back QEMU still winding down, a target agent restarting) would otherwise
     * use up every attempt within milliseconds. Timed from the failed migration's record, so a new leader keeps it.
     */
    private boolean backingOff(DrainMove move, Instant now) {
        if (move.getAttempts() == 0 || move.getMigrationId().isEmpty()) {
            return false;
        }
        return view.migration(move.getMigrationId())
                .map(Versioned::value)
                .filter(m -> MigrationPhases.isTerminal(m.getPhase()) && m.getTransitionsCount() > 0)
                .map(m -> {
                    Instant ended = Times.instant(m.getTransitions(m.getTransitionsCount() - 1).getAt());
                    return now.isBefore(ended.plus(RETRY_BACKOFF.multipliedBy(move.getAttempts())));
                })
                .orElse(false);
    }

    private static Drain replaceMove(Drain d, DrainMove move) {
        Drain.Builder b = d.toBuilder();
        for (int i = 0; i < b.getMovesCount(); i++) {
            if (b.getMoves(i).getVsi().equals(move.getVsi())) {
                b.setMoves(i, move);
            }
        }
        return b.build();
    }

    private Drain update(Term term, String hostId, java.util.function.UnaryOperator<Drain> change) {
        ByteSequence key = keys.of(Keys.Kind.DRAIN, hostId);
        for (int attempt = 0; attempt < 5; attempt++) {
            Versioned<Drain> current = view.drain(hostId)
                    .orElseThrow(() -> FabricException.notFound("drain of host", hostId));
            Drain next = change.apply(current.value());
            if (next.equals(current.value())) {
                return next;
            }
            FencedWriter.Outcome outcome = writer.commit(term,
                    List.of(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision()))),
                    List.of(Op.put(key, RecordCodec.encode(next), PutOption.DEFAULT)));
            view.awaitRevision(outcome.revision(), 5000);
            if (outcome.committed()) {
                return next;
            }
        }
        throw FabricException.unavailable("drain of host '%s' kept changing; retry", hostId);
    }


    @Override
    public void close() {
        closed = true;
        view.removeListener(wakeOnChange);
        thread.interrupt();
    }
}
