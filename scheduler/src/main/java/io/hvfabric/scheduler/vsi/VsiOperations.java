package io.hvfabric.scheduler.vsi;

import com.google.protobuf.Timestamp;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.proto.v1.VsiStatus;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.leader.loop.Decider;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.network.VnicAssignments;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.tenants.TenantQuotas;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.volume.VsiDisks;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leader's VSI decisions, each a {@link io.hvfabric.scheduler.leader.loop.Decision} on the leader loop: it reads
 * the VSI, the chosen host's allocation and the tenant's usage as every earlier decision left them, and writes the
 * new records; the loop group-commits them in fenced transactions that also compare every record read from etcd, so
 * no write from outside the loop (a migration's reservation, a tenant change) is ever overwritten, and concurrent
 * creates can neither double-book a host nor exceed a tenant's quota, nor hand out one address twice (each vNIC's
 * network allocation is read and written in the decision that records the VSI, and freed in the one removing it),
 * nor attach one volume twice (each disk's volume is read and written there too, {@link VsiDisks}).
 */
public final class VsiOperations {
    static final String RUNNING = "RUNNING";
    static final String STOPPED = "STOPPED";

    private final ClusterView view;
    private final Keys keys;
    private final Decider decider;
    private final PlacementPipeline pipeline;
    private final PlacementInputs inputs;

    public VsiOperations(ClusterView view, Keys keys, Decider decider, PlacementPipeline pipeline,
                         PlacementInputs inputs) {
        this.view = view;
        this.keys = keys;
        this.decider = decider;
        this.pipeline = pipeline;
        this.inputs = inputs;
    }

    /**
     * Validates, places and records a new VSI, charged to its tenant ({@code spec.tenant}, as the caller's principal
     * allows: see the gRPC layer); the owning agent starts it when it sees the record.
     */
    public Vsi create(Term term, VsiSpec requested) {
        VsiSpec spec = VsiSpecs.withDefaults(requested);
        VsiSpecs.validate(spec, inputs.largestHostVcpus());
        Image image = view.image(spec.getImage())
                .orElseThrow(() -> FabricException.notFound("image", spec.getImage()))
                .value();
        if (!spec.getHost().isEmpty() && view.host(spec.getHost()).isEmpty()) {
            throw FabricException.notFound("host", spec.getHost());
        }
        Capacity demand = VsiSpecs.demand(spec);
        return decider.decide(term, context -> {
            Records records = new Records(context, keys);
            // VSI names are global: the answer is the same whoever owns the name, so it reveals no other tenant.
            if (records.get(Keys.Kind.VSI, spec.getName(), VsiRecord.getDefaultInstance()).isPresent()) {
                throw FabricException.alreadyExists("vsi", spec.getName());
            }
            charge(records, spec);
            VnicAssignments.Assigned vnics = VnicAssignments.assign(records, spec);
            Timestamp now = Times.now();
            VsiDisks.Resolved disks = VsiDisks.resolve(records, vnics.spec(), now);
            String requiredHost = disks.pinnedHost().orElse(blankToNull(spec.getHost()));
            Capacity placed = new Capacity(demand.vcpus(), demand.memoryMib(),
                    demand.diskGib() + disks.newVolumeGib(), demand.nicMbps());
            PlacementRequest request = new PlacementRequest(spec.getName(), placed,
                    blankToNull(spec.getAntiAffinityGroup()), requiredHost, null, null, Set.of(), vnics.networkMtu());
            Map<String, Optional<HostAllocation>> pendingAllocations =
                    records.pending(Keys.Kind.HOST_ALLOCATION, HostAllocation.getDefaultInstance());
            Map<String, Optional<VsiRecord>> pendingVsis = spec.getAntiAffinityGroup().isEmpty() ? Map.of()
                    : records.pending(Keys.Kind.VSI, VsiRecord.getDefaultInstance());
            // The best host without scoring every host; only a refusal runs the full pipeline, for its reasons.
            String host = inputs.choose(pipeline, request, pendingAllocations, pendingVsis).orElseThrow(() -> {
                PlacementResult refused = pipeline.place(request, inputs.candidatesFor(
                        Optional.ofNullable(request.antiAffinityGroup()), pendingAllocations, pendingVsis));
                return FabricException.resourceExhausted("no host can take vsi '%s': %s", spec.getName(),
                        refused.explain());
            });
            HostAllocation alloc = records.get(Keys.Kind.HOST_ALLOCATION, host, HostAllocation.getDefaultInstance())
                    .orElse(HostAllocation.getDefaultInstance());
            VsiRecord record = VsiRecord.newBuilder()
                    .setSpec(disks.spec())
                    .setHost(host)
                    .setDesired(RUNNING)
                    .setState(Vsi.State.SCHEDULED)
                    .setImage(image)
                    .setCreatedAt(now)
                    .setStateChangedAt(now)
                    .build();
            records.put(Keys.Kind.VSI, spec.getName(), record);
            records.put(Keys.Kind.HOST_ALLOCATION, host,
                    disks.attach(records, spec.getName(), host, PlacementInputs.add(alloc, spec.getName(), demand)));
            vnics.write(records);
            return toVsi(record, 0);
        });
    }

    /** Sets the desired state of a VSI within {@code scope}: outside it the VSI is NOT_FOUND, as a missing one. */
    public Vsi setDesired(Term term, String name, String desired, TenantScope scope) {
        requireName(name);
        return decider.decide(term, context -> {
            Records records = new Records(context, keys);
            VsiRecord record = require(records, name, scope);
            if (record.getDesired().equals(desired)) {
                return toVsi(record, 0);
            }
            if (record.getState() == Vsi.State.MIGRATING) {
                throw FabricException.failedPrecondition("vsi '%s' is migrating; try again when it is done", name);
            }
            VsiRecord next = record.toBuilder().setDesired(desired).build();
            records.put(Keys.Kind.VSI, name, next);
            return toVsi(next, 0);
        });
    }

    /**
     * Removes the VSI and frees its capacity, its tenant's usage and its vNICs' addresses in one transaction; its
     * agent destroys the guest when it sees that. Outside {@code scope} the VSI is NOT_FOUND, as a missing one.
     */
    public void delete(Term term, String name, TenantScope scope) {
        requireName(name);
        decider.decide(term, context -> {
            Records records = new Records(context, keys);
            VsiRecord record = require(records, name, scope);
            if (record.getState() == Vsi.State.MIGRATING) {
                throw FabricException.failedPrecondition("vsi '%s' is migrating; cancel the migration first", name);
            }
            records.delete(Keys.Kind.VSI, name);
            if (!record.getHost().isEmpty()) {
                HostAllocation alloc = records.get(Keys.Kind.HOST_ALLOCATION, record.getHost(),
                        HostAllocation.getDefaultInstance()).orElse(HostAllocation.getDefaultInstance());
                records.put(Keys.Kind.HOST_ALLOCATION, record.getHost(),
                        PlacementInputs.remove(alloc, name, VsiSpecs.demand(record.getSpec())));
            }
            refund(records, record.getSpec());
            VnicAssignments.release(records, record);
            VsiDisks.release(records, record);
            return null;
        });
    }

    /**
     * Records what a host's agent observed of the VSIs it owns, in one decision per report. Reports about VSIs the
     * host does not own are ignored: only the owner's word counts. Best effort: a refusal is simply retried by the
     * next heartbeat.
     */
    public void applyStatuses(Term term, String hostId, List<VsiStatus> statuses) {
        if (statuses.isEmpty()) {
            return;
        }
        decider.decide(term, context -> {
            Records records = new Records(context, keys);
            for (VsiStatus status : statuses) {
                Optional<VsiRecord> current = records.get(Keys.Kind.VSI, status.getName(),
                        VsiRecord.getDefaultInstance());
                if (current.isEmpty() || !hostId.equals(current.get().getHost())) {
                    continue;
                }
                ReportedStatus.merge(current.get(), status, Times.now())
                        .ifPresent(next -> records.put(Keys.Kind.VSI, status.getName(), next));
            }
            return null;
        });
    }

    /** The tenant's usage with the new VSI charged: NOT_FOUND without the tenant, RESOURCE_EXHAUSTED over quota. */
    private static void charge(Records records, VsiSpec spec) {
        String name = spec.getTenant();
        if (name.isEmpty()) {
            return;
        }
        Tenant tenant = records.get(Keys.Kind.TENANT, name, Tenant.getDefaultInstance())
                .orElseThrow(() -> FabricException.notFound("tenant", name));
        TenantUsage usage = records.get(Keys.Kind.TENANT_USAGE, name, TenantUsage.getDefaultInstance())
                .orElse(TenantUsage.getDefaultInstance());
        records.put(Keys.Kind.TENANT_USAGE, name, TenantQuotas.charge(tenant, usage, spec));
    }

    private static void refund(Records records, VsiSpec spec) {
        String name = spec.getTenant();
        if (name.isEmpty()) {
            return;
        }
        records.get(Keys.Kind.TENANT_USAGE, name, TenantUsage.getDefaultInstance())
                .ifPresent(usage -> records.put(Keys.Kind.TENANT_USAGE, name, TenantQuotas.refund(usage, spec)));
    }

    private static VsiRecord require(Records records, String name, TenantScope scope) {
        return records.get(Keys.Kind.VSI, name, VsiRecord.getDefaultInstance()).filter(scope::sees)
                .orElseThrow(() -> FabricException.notFound("vsi", name));
    }

    private static void requireName(String name) {
        if (name.isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
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

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

}
