package io.hvfabric.scheduler.hosts;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.VsiStatus;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Host registration (a leader write) and heartbeats (any replica). A host's liveness is an etcd lease the scheduler
 * grants at registration; heartbeats renew it. When the agent stops heartbeating the lease expires and its alive key
 * vanishes, which every replica sees as DOWN, within the TTL.
 */
public final class HostRegistry {
    private static final Pattern HOST_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HOST_PORT = Pattern.compile("[^:\\s]+:\\d{1,5}");

    private final Client client;
    private final Keys keys;
    private final ClusterView view;
    private final FencedWriter writer;
    private final Duration hostLeaseTtl;
    private final Map<String, Long> lastUsageWrite = new ConcurrentHashMap<>();

    public HostRegistry(Client client, Keys keys, ClusterView view, FencedWriter writer, Duration hostLeaseTtl) {
        this.client = client;
        this.keys = keys;
        this.view = view;
        this.writer = writer;
        this.hostLeaseTtl = hostLeaseTtl;
    }

    public static void validate(RegisterRequest request) {
        if (!HOST_ID.matcher(request.getHostId()).matches()) {
            throw FabricException.invalidArgument("host_id",
                    "must be a DNS label: 1-63 lowercase letters, digits or hyphens (got '%s')", request.getHostId());
        }
        if (!HOST_PORT.matcher(request.getAddress()).matches()) {
            throw FabricException.invalidArgument("address", "must be host:port (got '%s')", request.getAddress());
        }
        if (request.getCapacity().getVcpus() < 1) {
            throw FabricException.invalidArgument("capacity.vcpus", "must be at least 1 (got %d)",
                    request.getCapacity().getVcpus());
        }
        if (request.getCapacity().getMemoryMib() < 64) {
            throw FabricException.invalidArgument("capacity.memory_mib", "must be at least 64 (got %d)",
                    request.getCapacity().getMemoryMib());
        }
        AgentReportBounds.validate(request);
    }

    /** The guest times a heartbeat reports go into the alive record's JSON, which an invalid time cannot be. */
    private static void validate(HeartbeatRequest request) {
        for (int i = 0; i < request.getVsisCount(); i++) {
            VsiStatus vsi = request.getVsis(i);
            if (vsi.getGuest().hasSince()) {
                Times.valid("vsis[" + i + "].guest.since", vsi.getGuest().getSince());
            }
        }
    }

    /** Creates or refreshes the host record and its liveness lease, in one fenced transaction. */
    public RegisterResponse register(Term term, RegisterRequest request) {
        validate(request);
        ByteSequence hostKey = keys.of(Keys.Kind.HOST, request.getHostId());
        for (int attempt = 0; attempt < 5; attempt++) {
            GetResponse current = await(client.getKVClient().get(hostKey));
            HostRecord previous = current.getKvs().isEmpty()
                    ? null
                    : RecordCodec.decode(current.getKvs().get(0).getValue(), HostRecord.getDefaultInstance());
            long leaseId = await(client.getLeaseClient().grant(hostLeaseTtl.toSeconds())).getID();
            HostRecord record = HostRecord.newBuilder()
                    .setId(request.getHostId())
                    .setAddress(request.getAddress())
                    .setCapacity(request.getCapacity())
                    .setCapabilities(request.getCapabilities())
                    .putAllLabels(request.getLabelsMap())
                    .setAdminState(previous == null || previous.getAdminState().isEmpty()
                            ? HostStates.ADMIN_READY
                            : previous.getAdminState())
                    .setRegisteredAt(previous != null && previous.hasRegisteredAt()
                            ? previous.getRegisteredAt()
                            : Times.now())
                    .setMetricsAddress(request.getMetricsAddress())
                    .setAgentVersion(request.getAgentVersion())
                    .setLeaseId(leaseId)
                    .build();
            Cmp unchanged = current.getKvs().isEmpty()
                    ? new Cmp(hostKey, Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(hostKey, Cmp.Op.EQUAL, CmpTarget.modRevision(current.getKvs().get(0).getModRevision()));
            AliveRecord alive = AliveRecord.newBuilder().setLeaseId(leaseId).setLastHeartbeat(Times.now()).build();
            FencedWriter.Outcome outcome = writer.commit(term, List.of(unchanged), List.of(
                    Op.put(hostKey, RecordCodec.encode(record), PutOption.DEFAULT),
                    Op.put(keys.of(Keys.Kind.ALIVE, request.getHostId()), RecordCodec.encode(alive),
                            PutOption.builder().withLeaseId(leaseId).build())));
            if (outcome.committed()) {
                if (previous != null && previous.getLeaseId() != 0 && previous.getLeaseId() != leaseId) {
                    client.getLeaseClient().revoke(previous.getLeaseId()); // the old incarnation's lease
                }
                view.awaitRevision(outcome.revision(), 5000);
                return RegisterResponse.newBuilder()
                        .setLeaseId(leaseId)
                        .setHeartbeatIntervalMs(Math.max(500, hostLeaseTtl.toMillis() / 4))
                        .setTerm(term.revision())
                        .setLeader(term.leaderId())
                        .build();
            }
            client.getLeaseClient().revoke(leaseId);
        }
        throw FabricException.unavailable("host '%s' is being registered concurrently; retry", request.getHostId());
    }

    /**
     * Changes the operator intent of a host (READY, CORDONED, DRAINING, MAINTENANCE) with a compare on the host
     * record, so a concurrent re-registration is never overwritten with stale data.
     */
    public HostRecord setAdminState(Term term, String hostId, String adminState) {
        ByteSequence hostKey = keys.of(Keys.Kind.HOST, hostId);
        for (int attempt = 0; attempt < 5; attempt++) {
            var current = view.host(hostId).orElseThrow(() -> FabricException.notFound("host", hostId));
            if (current.value().getAdminState().equals(adminState)) {
                return current.value();
            }
            HostRecord next = current.value().toBuilder().setAdminState(adminState).build();
            FencedWriter.Outcome outcome = writer.commit(term,
                    List.of(new Cmp(hostKey, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision()))),
                    List.of(Op.put(hostKey, RecordCodec.encode(next), PutOption.DEFAULT)));
            view.awaitRevision(outcome.revision(), 5000);
            if (outcome.committed()) {
                return next;
            }
        }
        throw FabricException.unavailable("host '%s' kept changing; retry", hostId);
    }

    /**
     * Renews the host's lease and refreshes its alive record (usage, guest status; see {@link AliveRefresh}). Any
     * replica may do this: it decides nothing, it only keeps liveness and records observations.
     */
    public void heartbeat(HeartbeatRequest request) {
        validate(request);
        ByteSequence aliveKey = keys.of(Keys.Kind.ALIVE, request.getHostId());
        long aliveModRevision = view.alive(request.getHostId())
                .filter(v -> v.value().getLeaseId() == request.getLeaseId())
                .map(v -> v.modRevision())
                .orElse(0L);
        if (aliveModRevision == 0) {
            // The view may lag a fresh registration by a moment: confirm with etcd before refusing.
            GetResponse read = await(client.getKVClient().get(aliveKey));
            if (read.getKvs().isEmpty()) {
                throw FabricException.notFound("lease of host", request.getHostId());
            }
            KeyValue aliveKv = read.getKvs().get(0);
            if (aliveKv.getLease() != request.getLeaseId()) {
                throw FabricException.failedPrecondition(
                        "host '%s' heartbeat carries a stale lease; register again", request.getHostId());
            }
            aliveModRevision = aliveKv.getModRevision();
        }
        try {
            long ttl = client.getLeaseClient().keepAliveOnce(request.getLeaseId()).get(5, TimeUnit.SECONDS).getTTL();
            if (ttl <= 0) {
                throw FabricException.notFound("lease of host", request.getHostId());
            }
        } catch (FabricException e) {
            throw e;
        } catch (Exception e) {
            throw FabricException.notFound("lease of host", request.getHostId());
        }
        Optional<AliveRecord> recorded = view.alive(request.getHostId()).map(Versioned::value);
        Map<String, GuestStatus> guests = AliveRefresh.guests(request);
        long nowNanos = System.nanoTime();
        Long last = lastUsageWrite.get(request.getHostId());
        AliveRefresh.Reason reason = AliveRefresh.decide(recorded, guests,
                last == null ? OptionalLong.empty() : OptionalLong.of(last), nowNanos);
        if (reason != AliveRefresh.Reason.NONE) {
            lastUsageWrite.put(request.getHostId(), nowNanos);
            AliveRecord alive = AliveRecord.newBuilder()
                    .setLeaseId(request.getLeaseId())
                    .setUsage(request.getUsage())
                    .setLastHeartbeat(Times.now())
                    .putAllGuests(guests)
                    .build();
            // Only while the key is as we checked it (same lease): never resurrect an expired or replaced host.
            client.getKVClient().txn()
                    .If(new Cmp(aliveKey, Cmp.Op.EQUAL, CmpTarget.modRevision(aliveModRevision)))
                    .Then(Op.put(aliveKey, RecordCodec.encode(alive),
                            PutOption.builder().withLeaseId(request.getLeaseId()).build()))
                    .commit();
        }
    }


    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable("interrupted");
        } catch (Exception e) {
            throw FabricException.unavailable("etcd request failed: %s", e.getMessage());
        }
    }
}
