package io.hvfabric.scheduler.vsi;

import com.google.protobuf.Timestamp;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.proto.v1.VsiStatus;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.tenants.TenantCharge;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The leader's VSI decisions. Each is one fenced etcd transaction that also compares the revisions it decided on
 * (the VSI record, the host's allocation sum, the tenant's usage sum), so concurrent or stale decisions cannot
 * double-book a host nor exceed a tenant's quota. Decisions
 * are serialized on this object, like a single event thread, and each waits until the view has applied its own
 * commit, so the next decision sees it.
 */
public final class VsiOperations {
    static final String RUNNING = "RUNNING";
    static final String STOPPED = "STOPPED";
    private static final int MAX_ATTEMPTS = 5;
    private static final long VIEW_WAIT_MS = 5000;

    private final ClusterView view;
    private final Keys keys;
    private final FencedWriter writer;
    private final PlacementPipeline pipeline;
    private final PlacementInputs inputs;

    public VsiOperations(ClusterView view, Keys keys, FencedWriter writer, PlacementPipeline pipeline,
                         PlacementInputs inputs) {
        this.view = view;
        this.keys = keys;
        this.writer = writer;
        this.pipeline = pipeline;
        this.inputs = inputs;
    }

    /**
     * Validates, places and records a new VSI, charged to its tenant ({@code spec.tenant}, as the caller's principal
     * allows: see the gRPC layer); the owning agent starts it when it sees the record.
     */
    public synchronized Vsi create(Term term, VsiSpec requested) {
        VsiSpec spec = VsiSpecs.withDefaults(requested);
        VsiSpecs.validate(spec, inputs.largestHostVcpus());
        Image image = view.image(spec.getImage())
                .orElseThrow(() -> FabricException.notFound("image", spec.getImage()))
                .value();
        if (!spec.getHost().isEmpty() && view.host(spec.getHost()).isEmpty()) {
            throw FabricException.notFound("host", spec.getHost());
        }
        Capacity demand = VsiSpecs.demand(spec);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // VSI names are global: the answer is the same whoever owns the name, so it reveals no other tenant.
            if (view.vsi(spec.getName()).isPresent()) {
                throw FabricException.alreadyExists("vsi", spec.getName());
            }
            TenantCharge charge = TenantCharge.admit(view, keys, spec);
            PlacementResult placement = pipeline.place(new PlacementRequest(spec.getName(), demand,
                    blankToNull(spec.getAntiAffinityGroup()), blankToNull(spec.getHost()), null, null, Set.of()),
                    inputs.candidates());
            String host = placement.chosenHost().orElseThrow(() -> FabricException.resourceExhausted(
                    "no host can take vsi '%s': %s", spec.getName(), placement.explain()));
            Optional<Versioned<HostAllocation>> alloc = view.allocation(host);
            HostAllocation next = PlacementInputs.add(
                    alloc.map(Versioned::value).orElse(HostAllocation.getDefaultInstance()), spec.getName(), demand);
            Timestamp now = Times.now();
            VsiRecord record = VsiRecord.newBuilder()
                    .setSpec(spec)
                    .setHost(host)
                    .setDesired(RUNNING)
                    .setState(Vsi.State.SCHEDULED)
                    .setImage(image)
                    .setCreatedAt(now)
                    .setStateChangedAt(now)
                    .build();
            ByteSequence vsiKey = keys.of(Keys.Kind.VSI, spec.getName());
            ByteSequence allocKey = keys.of(Keys.Kind.HOST_ALLOCATION, host);
            List<Cmp> compares = new ArrayList<>(List.of(absent(vsiKey), unchanged(allocKey, alloc)));
            compares.addAll(charge.compares());
            List<Op> ops = new ArrayList<>(List.of(Op.put(vsiKey, RecordCodec.encode(record), PutOption.DEFAULT),
                    Op.put(allocKey, RecordCodec.encode(next), PutOption.DEFAULT)));
            ops.addAll(charge.ops());
            FencedWriter.Outcome outcome = writer.commit(term, compares, ops);
            view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
            if (outcome.committed()) {
                return toVsi(record, 0);
            }
        }
        throw FabricException.unavailable("vsi '%s': placement kept conflicting with other writes; retry",
                requested.getName());
    }

    /** Sets the desired state of a VSI within {@code scope}: outside it the VSI is NOT_FOUND, as a missing one. */
    public synchronized Vsi setDesired(Term term, String name, String desired, TenantScope scope) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Versioned<VsiRecord> current = require(name, scope);
            VsiRecord record = current.value();
            if (record.getDesired().equals(desired)) {
                return toVsi(record, current.modRevision());
            }
            if (record.getState() == Vsi.State.MIGRATING) {
                throw FabricException.failedPrecondition("vsi '%s' is migrating; try again when it is done", name);
            }
            VsiRecord next = record.toBuilder().setDesired(desired).build();
            ByteSequence key = keys.of(Keys.Kind.VSI, name);
            FencedWriter.Outcome outcome = writer.commit(term,
                    List.of(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision()))),
                    List.of(Op.put(key, RecordCodec.encode(next), PutOption.DEFAULT)));
            view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
            if (outcome.committed()) {
                return toVsi(next, outcome.revision());
            }
        }
        throw FabricException.unavailable("vsi '%s' kept changing; retry", name);
    }

    /**
     * Removes the VSI and frees its capacity and its tenant's usage in one transaction; its agent destroys the guest
     * when it sees that. Outside {@code scope} the VSI is NOT_FOUND, as a missing one.
     */
    public synchronized void delete(Term term, String name, TenantScope scope) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Versioned<VsiRecord> current = require(name, scope);
            VsiRecord record = current.value();
            if (record.getState() == Vsi.State.MIGRATING) {
                throw FabricException.failedPrecondition("vsi '%s' is migrating; cancel the migration first", name);
            }
            ByteSequence key = keys.of(Keys.Kind.VSI, name);
            List<Cmp> compares = new ArrayList<>();
            List<Op> ops = new ArrayList<>();
            compares.add(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())));
            ops.add(Op.delete(key, DeleteOption.DEFAULT));
            if (!record.getHost().isEmpty()) {
                ByteSequence allocKey = keys.of(Keys.Kind.HOST_ALLOCATION, record.getHost());
                Optional<Versioned<HostAllocation>> alloc = view.allocation(record.getHost());
                compares.add(unchanged(allocKey, alloc));
                HostAllocation next = PlacementInputs.remove(
                        alloc.map(Versioned::value).orElse(HostAllocation.getDefaultInstance()), name,
                        VsiSpecs.demand(record.getSpec()));
                ops.add(Op.put(allocKey, RecordCodec.encode(next), PutOption.DEFAULT));
            }
            TenantCharge refund = TenantCharge.release(view, keys, record.getSpec());
            compares.addAll(refund.compares());
            ops.addAll(refund.ops());
            FencedWriter.Outcome outcome = writer.commit(term, compares, ops);
            view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
            if (outcome.committed()) {
                return;
            }
        }
        throw FabricException.unavailable("vsi '%s' kept changing; retry", name);
    }

    /**
     * Records what a host's agent observed of the VSIs it owns. Reports about VSIs the host does not own are
     * ignored: only the owner's word counts. Best effort: a conflict is simply retried by the next heartbeat.
     */
    public synchronized void applyStatuses(Term term, String hostId, List<VsiStatus> statuses) {
        for (VsiStatus status : statuses) {
            Optional<Versioned<VsiRecord>> current = view.vsi(status.getName());
            if (current.isEmpty() || !hostId.equals(current.get().value().getHost())) {
                continue;
            }
            Optional<VsiRecord> next = ReportedStatus.merge(current.get().value(), status, Times.now());
            if (next.isEmpty()) {
                continue;
            }
            ByteSequence key = keys.of(Keys.Kind.VSI, status.getName());
            FencedWriter.Outcome outcome = writer.commit(term,
                    List.of(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(current.get().modRevision()))),
                    List.of(Op.put(key, RecordCodec.encode(next.get()), PutOption.DEFAULT)));
            view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
        }
    }

    private Versioned<VsiRecord> require(String name, TenantScope scope) {
        if (name.isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        return view.vsi(name).filter(v -> scope.sees(v.value()))
                .orElseThrow(() -> FabricException.notFound("vsi", name));
    }

    public static Vsi toVsi(VsiRecord record, long generation) {
        Vsi.Builder vsi = Vsi.newBuilder()
                .setName(record.getSpec().getName())
                .setHost(record.getHost())
                .setState(record.getState())
                .setVcpus(record.getSpec().getVcpus())
                .setMemoryMib(record.getSpec().getMemoryMib())
                .setImage(record.getSpec().getImage())
                .setTenant(record.getSpec().getTenant())
                .setSpec(record.getSpec())
                .setDesired(record.getDesired())
                .setMessage(record.getMessage())
                .setPid(record.getPid())
                .setRestarts(record.getRestarts());
        if (record.hasCreatedAt()) {
            vsi.setCreatedAt(record.getCreatedAt());
        }
        if (record.hasStateChangedAt()) {
            vsi.setStateChangedAt(record.getStateChangedAt());
        }
        return vsi.build();
    }

    private static Cmp absent(ByteSequence key) {
        return new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0));
    }

    private static Cmp unchanged(ByteSequence key, Optional<? extends Versioned<?>> seen) {
        return seen.isPresent()
                ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(seen.get().modRevision()))
                : absent(key);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

}
