package io.hvfabric.scheduler.migrate;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.MigrationRules;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.migration.MigrationStateMachine;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.MigrationObjective;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.PhaseTransition;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.hosts.HostStates;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.network.VsiNetworks;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.volume.VsiDisks;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.hvfabric.scheduler.vsi.VsiSpecs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The leader's migration writes. Each is one fenced transaction comparing the revisions it decided on: accepting
 * reserves the target's capacity together with the record; completing moves ownership and releases the source in one
 * step, only once the target confirmed the guest runs there; ending without moving releases the reservation. The VSI
 * record and the allocation sums are shared with {@code VsiOperations}, so decisions are serialized on the same lock.
 */
public final class MigrationOperations {
    private static final int MAX_ATTEMPTS = 8;
    private static final long VIEW_WAIT_MS = 5000;
    /** Revision of a switchover committed without waiting for the view, until {@link #awaitView} is called. */
    private final ConcurrentHashMap<String, Long> lastCommitted = new ConcurrentHashMap<>();

    private final ClusterView view;
    private final Keys keys;
    private final FencedWriter writer;
    private final PlacementPipeline pipeline;
    private final PlacementInputs inputs;
    private final BiFunction<String, String, String> reachability;
    private final Object decisionLock;

    public MigrationOperations(ClusterView view, Keys keys, FencedWriter writer, PlacementPipeline pipeline,
                               PlacementInputs inputs, BiFunction<String, String, String> reachability,
                               Object decisionLock) {
        this.view = view;
        this.keys = keys;
        this.writer = writer;
        this.pipeline = pipeline;
        this.inputs = inputs;
        this.reachability = reachability;
        this.decisionLock = decisionLock;
    }

    /**
     * Validates the request, chooses or checks the target, and records the migration with the target reserved. The
     * request is validated first, so a refused one reads nothing and writes nothing: no record, no reservation.
     */
    public Migration accept(Term term, MigrateVsiRequest request, int priority, String requestedBy) {
        MigrationRules.validate(request);
        synchronized (decisionLock) {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Versioned<VsiRecord> vsi = view.vsi(request.getName())
                        .orElseThrow(() -> FabricException.notFound("vsi", request.getName()));
                VsiRecord record = vsi.value();
                if (!record.getMigrationId().isEmpty()) {
                    throw FabricException.failedPrecondition("vsi '%s' is already migrating (migration %s)",
                            request.getName(), record.getMigrationId());
                }
                if (record.getState() != Vsi.State.RUNNING || !"RUNNING".equals(record.getDesired())) {
                    throw FabricException.failedPrecondition("vsi '%s' is %s; only RUNNING VSIs can migrate",
                            request.getName(), record.getState());
                }
                List<String> localDisks = VsiDisks.localDisks(record.getSpec());
                if (!localDisks.isEmpty()) {
                    // The copy of a local disk to the target (NBD export, blockdev-mirror) is not built yet: moving
                    // the RAM alone would start the guest on the target without its disk.
                    throw FabricException.failedPrecondition("vsi '%s' has local disk%s (volume %s): live "
                            + "migration of local disks is not supported yet", request.getName(),
                            localDisks.size() == 1 ? "" : "s", String.join(", ", localDisks));
                }
                String source = record.getHost();
                String target = chooseTarget(request, record, source);
                Capacity demand = VsiSpecs.demand(record.getSpec());
                Optional<Versioned<HostAllocation>> alloc = view.allocation(target);
                HostAllocation reserved = addTo(alloc, request.getName(), demand);
                Instant now = Instant.now();
                Migration migration = Migration.newBuilder()
                        .setId("m-" + UUID.randomUUID().toString().substring(0, 8))
                        .setName(request.getName())
                        .setFrom(source)
                        .setTo(target)
                        .setPhase(Migration.Phase.PENDING)
                        .setObjective(objective(request, record))
                        .setMemoryMib(record.getSpec().getMemoryMib())
                        .setCreatedAt(Times.timestamp(now))
                        .setPriority(priority)
                        .setRequestedBy(requestedBy)
                        .addTransitions(PhaseTransition.newBuilder()
                                .setPhase(Migration.Phase.PENDING)
                                .setAt(Times.timestamp(now))
                                .setNote("target " + target + " reserved"))
                        .build();
                VsiRecord migrating = record.toBuilder()
                        .setState(Vsi.State.MIGRATING)
                        .setMigrationId(migration.getId())
                        .setStateChangedAt(Times.timestamp(now))
                        .build();
                ByteSequence vsiKey = keys.of(Keys.Kind.VSI, record.getSpec().getName());
                ByteSequence allocKey = keys.of(Keys.Kind.HOST_ALLOCATION, target);
                ByteSequence migrationKey = keys.of(Keys.Kind.MIGRATION, migration.getId());
                FencedWriter.Outcome outcome = writer.commit(term,
                        List.of(modRevision(vsiKey, vsi.modRevision()), unchanged(allocKey, alloc),
                                new Cmp(migrationKey, Cmp.Op.EQUAL, CmpTarget.version(0))),
                        List.of(put(migrationKey, migration), put(vsiKey, migrating), put(allocKey, reserved)));
                view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
                if (outcome.committed()) {
                    return migration;
                }
            }
        }
        throw FabricException.unavailable("migration of vsi '%s' kept conflicting with other writes; retry",
                request.getName());
    }

    private String chooseTarget(MigrateVsiRequest request, VsiRecord record, String source) {
        String to = request.getTo();
        String accelerator = view.host(source).map(h -> h.value().getCapabilities().getAccelerator()).orElse(null);
        String cpuModel = view.host(source).map(h -> h.value().getCapabilities().getCpuModel()).orElse(null);
        if (!to.isEmpty()) {
            if (to.equals(source)) {
                throw FabricException.invalidArgument("to", "vsi '%s' already runs on host '%s'",
                        record.getSpec().getName(), source);
            }
            var host = view.host(to).orElseThrow(() -> FabricException.notFound("host", to)).value();
            Host.State state = HostStates.derive(host, view.alive(to).isPresent(), reachability.apply("agent", to));
            if (state != Host.State.READY) {
                throw FabricException.failedPrecondition("host '%s' is %s; migrations go to READY hosts only", to,
                        state);
            }
        }
        PlacementResult placement = pipeline.place(new PlacementRequest(record.getSpec().getName(),
                VsiSpecs.demand(record.getSpec()), blankToNull(record.getSpec().getAntiAffinityGroup()),
                blankToNull(to), blankToNull(accelerator), blankToNull(cpuModel), Set.of(source),
                VsiNetworks.mtu(view, record.getSpec())), inputs.candidates());
        return placement.chosenHost().orElseThrow(() -> FabricException.resourceExhausted(
                "no target can take vsi '%s': %s", record.getSpec().getName(), placement.explain()));
    }

    private static MigrationObjective objective(MigrateVsiRequest request, VsiRecord record) {
        return MigrationObjective.newBuilder()
                .setMaxDowntimeMs(request.getMaxDowntimeMs() > 0
                        ? request.getMaxDowntimeMs() : record.getSpec().getMaxDowntimeMs())
                .setMaxDurationMs(request.getMaxDurationMs() > 0
                        ? request.getMaxDurationMs() : record.getSpec().getMaxMigrationMs())
                .setMaxBandwidthMibps(request.getMaxBandwidthMibps())
                .build();
    }

    /** Marks the migration for cancellation; its runner acts on that. Cancelling a finished migration is refused. */
    public Migration requestCancel(Term term, String id) {
        return update(term, id, m -> {
            if (MigrationPhases.isTerminal(m.getPhase())) {
                throw FabricException.failedPrecondition("migration %s already ended %s", id, m.getPhase());
            }
            if (m.getPhase() == Migration.Phase.SWITCHOVER) {
                throw FabricException.failedPrecondition("migration %s is switching over: the target is being "
                        + "resumed, and it completes or rolls back on the target's answer", id);
            }
            return m.toBuilder().setCancelRequested(true).build();
        });
    }

    /** A phase change or progress update of the migration record alone. */
    public Migration update(Term term, String id, UnaryOperator<Migration> change) {
        return commitMigration(term, id, true, change);
    }

    /**
     * The memory arrived on the target: both copies are paused and the target is about to be resumed. Written before
     * the resume, so a new leader asks the target which copy is the guest instead of rolling back one that may already
     * run there. Ownership stays with the source. Returns as soon as etcd committed, without waiting for this
     * replica's view: the guest is paused until the caller resumes it, so the caller resumes first and then calls
     * {@link #awaitView}.
     */
    public Migration switchover(Term term, String id, MigrationProgress last) {
        return commitMigration(term, id, false, m -> MigrationStateMachine.transition(m, Migration.Phase.SWITCHOVER,
                "memory arrived on " + m.getTo() + "; resuming it there, the source keeps the VSI until the target "
                        + "confirms", Instant.now()).toBuilder()
                .setProgress(last)
                .build());
    }

    /**
     * Completed, on the target's confirmation that the guest runs there: ownership moves to the target and the
     * source's allocation is released in the same transaction as the phase change. The VSI is an ordinary RUNNING VSI
     * again; its source copy goes once the source's agent sees it no longer holds it.
     */
    public Migration complete(Term term, String id, UnaryOperator<Migration> totals) {
        return commitWithVsi(term, id, (m, vsi) -> {
            Instant now = Instant.now();
            Migration next = totals.apply(MigrationStateMachine.transition(m, Migration.Phase.COMPLETED,
                    "guest runs on " + m.getTo() + "; ownership moved there", now));
            VsiRecord done = vsi.toBuilder()
                    .setHost(m.getTo())
                    .setPid(0)
                    .setState(Vsi.State.RUNNING)
                    .setMigrationId("")
                    .setStateChangedAt(Times.timestamp(now))
                    .build();
            return new Change(next, done, List.of(new AllocChange(m.getFrom(), false)));
        });
    }

    /** Ends a migration that did not move the VSI: the reservation on the target is released. */
    public Migration endWithoutMoving(Term term, String id, Migration.Phase terminal, String reason,
                                      UnaryOperator<Migration> extra) {
        return commitWithVsi(term, id, (m, vsi) -> {
            Instant now = Instant.now();
            Migration next = extra.apply(MigrationStateMachine.transition(m, terminal, reason, now)).toBuilder()
                    .setReason(m.getReason().isEmpty() ? reason : m.getReason())
                    .setMessage(reason)
                    .build();
            VsiRecord back = vsi.toBuilder()
                    .setState(Vsi.State.RUNNING)
                    .setMigrationId("")
                    .setHost(m.getFrom())
                    .setStateChangedAt(Times.timestamp(now))
                    .build();
            return new Change(next, back, List.of(new AllocChange(m.getTo(), false)));
        });
    }

    private record AllocChange(String host, boolean add) {}

    private record Change(Migration migration, VsiRecord vsi, List<AllocChange> allocations) {}

    private interface ChangeBuilder {
        Change build(Migration migration, VsiRecord vsi);
    }

    /** Waits until this replica's view holds the migration's latest committed change. */
    public void awaitView(String id) {
        Long revision = lastCommitted.remove(id);
        if (revision != null) {
            view.awaitRevision(revision, VIEW_WAIT_MS);
        }
    }

    private Migration commitMigration(Term term, String id, boolean awaitView, UnaryOperator<Migration> change) {
        synchronized (decisionLock) {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Versioned<Migration> current = require(id);
                Migration next = change.apply(current.value());
                if (next.equals(current.value())) {
                    return next;
                }
                ByteSequence key = keys.of(Keys.Kind.MIGRATION, id);
                FencedWriter.Outcome outcome = writer.commit(term,
                        List.of(modRevision(key, current.modRevision())), List.of(put(key, next)));
                if (outcome.committed() && !awaitView) {
                    lastCommitted.put(id, outcome.revision());
                    return next;
                }
                view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
                if (outcome.committed()) {
                    return next;
                }
            }
        }
        throw FabricException.unavailable("migration %s kept changing; retry", id);
    }

    private Migration commitWithVsi(Term term, String id, ChangeBuilder builder) {
        synchronized (decisionLock) {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Versioned<Migration> current = require(id);
                Migration m = current.value();
                Versioned<VsiRecord> vsi = view.vsi(m.getName())
                        .orElseThrow(() -> FabricException.internal("vsi '%s' of migration %s vanished", m.getName(),
                                id));
                Change change = builder.build(m, vsi.value());
                ByteSequence migrationKey = keys.of(Keys.Kind.MIGRATION, id);
                ByteSequence vsiKey = keys.of(Keys.Kind.VSI, m.getName());
                List<Cmp> compares = new ArrayList<>(List.of(modRevision(migrationKey, current.modRevision()),
                        modRevision(vsiKey, vsi.modRevision())));
                List<Op> ops = new ArrayList<>(List.of(put(migrationKey, change.migration()), put(vsiKey, change.vsi())));
                Capacity demand = VsiSpecs.demand(vsi.value().getSpec());
                for (AllocChange a : change.allocations()) {
                    ByteSequence allocKey = keys.of(Keys.Kind.HOST_ALLOCATION, a.host());
                    Optional<Versioned<HostAllocation>> alloc = view.allocation(a.host());
                    compares.add(unchanged(allocKey, alloc));
                    HostAllocation next = a.add()
                            ? addTo(alloc, m.getName(), demand)
                            : PlacementInputs.remove(alloc.map(Versioned::value)
                                    .orElse(HostAllocation.getDefaultInstance()), m.getName(), demand);
                    ops.add(put(allocKey, next));
                }
                FencedWriter.Outcome outcome = writer.commit(term, compares, ops);
                view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
                if (outcome.committed()) {
                    return change.migration();
                }
            }
        }
        throw FabricException.unavailable("migration %s kept conflicting with other writes", id);
    }

    private Versioned<Migration> require(String id) {
        if (id.isEmpty()) {
            throw FabricException.invalidArgument("id", "must not be empty");
        }
        return view.migration(id).orElseThrow(() -> FabricException.notFound("migration", id));
    }

    private static HostAllocation addTo(Optional<Versioned<HostAllocation>> alloc, String name, Capacity demand) {
        return PlacementInputs.add(alloc.map(Versioned::value).orElse(HostAllocation.getDefaultInstance()),
                name, demand);
    }

    private static Op put(ByteSequence key, com.google.protobuf.Message value) {
        return Op.put(key, RecordCodec.encode(value), PutOption.DEFAULT);
    }

    private static Cmp modRevision(ByteSequence key, long revision) {
        return new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(revision));
    }

    private static Cmp unchanged(ByteSequence key, Optional<? extends Versioned<?>> seen) {
        return seen.isPresent()
                ? modRevision(key, seen.get().modRevision())
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0));
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
