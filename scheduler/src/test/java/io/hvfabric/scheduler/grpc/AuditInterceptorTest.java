package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.common.tls.DenyList;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.ListAuditRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RebalancePlan;
import io.hvfabric.proto.v1.RebalanceRequest;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.view.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the audit log records, seen from callers of a follower replica (the real OperatorServiceImpl behind the
 * production interceptors) that forwards writes to an audited leader: every audited call once, by the replica the
 * caller reached, with the status the caller got, refusals included; reads and dry runs never.
 */
@Timeout(20)
class AuditInterceptorTest {
    private static final String OPERATOR = "CN=operator,OU=operator";
    private static final String AGENT = "CN=host-2,OU=agent";
    private static final String FOLLOWER = "CN=sched-1,OU=scheduler";
    private static final Instant NOW = Instant.parse("2025-01-31T12:00:05Z");
    private static final CreateVsiRequest CREATE = CreateVsiRequest.newBuilder()
            .setSpec(VsiSpec.newBuilder().setName("web-1").setVcpus(1).setMemoryMib(128)).build();

    /** What each replica's audit interceptor handed to its writer. */
    private final List<AuditRecord> followerLog = new CopyOnWriteArrayList<>();
    private final List<AuditRecord> leaderLog = new CopyOnWriteArrayList<>();
    /** The calls the leader served. */
    private final List<String> leaderServed = new CopyOnWriteArrayList<>();
    private final MemoryAuditStore store = new MemoryAuditStore();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** sched-1, a follower, served to callers presenting {@code caller}; its writes go to the audited leader sched-2. */
    private OperatorServiceGrpc.OperatorServiceBlockingStub followerCalledBy(CertifiedCaller caller) throws Exception {
        ManagedChannel toLeader = leaderCalledBy(CertifiedCaller.withSubject(FOLLOWER));
        LeaderRecord leader = LeaderRecord.newBuilder().setId("sched-2").setAddress("sched-2:7000").build();
        Forwarding forwarding = new Forwarding("sched-1", Optional::empty, () -> Optional.of(leader), a -> toLeader);
        open.add(forwarding);
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, null, null, (ConsoleRelay) null,
                null, null, null, null, null, null, null);
        // A never-started view: reads answer from an empty cluster.
        OperatorServiceImpl operator = new OperatorServiceImpl(new ClusterView(null, new Keys(Keys.DEFAULT_PREFIX)),
                "sched-1", List.of(), (kind, id) -> "reachable", List::of, writes,
                new OperatorServiceImpl.Audit(new AuditInterceptor("sched-1", followerLog::add, fixedClock()), store));
        ServedReplica follower = new ServedReplica(caller, operator);
        open.add(follower);
        return stub(follower.channel());
    }

    /**
     * sched-2, the leader, served to callers presenting {@code caller}: a canned OperatorService (CreateVsi and
     * Rebalance answer; it counts what it serves) bound with the same policy and an audit of its own.
     */
    private ManagedChannel leaderCalledBy(CertifiedCaller caller) throws Exception {
        OperatorServiceGrpc.OperatorServiceImplBase canned = new OperatorServiceGrpc.OperatorServiceImplBase() {
            @Override
            public void createVsi(CreateVsiRequest request, StreamObserver<Vsi> response) {
                leaderServed.add("CreateVsi " + request.getSpec().getName());
                response.onNext(Vsi.newBuilder().setName(request.getSpec().getName()).build());
                response.onCompleted();
            }

            @Override
            public void rebalance(RebalanceRequest request, StreamObserver<RebalancePlan> response) {
                leaderServed.add("Rebalance dry_run=" + request.getDryRun());
                response.onNext(RebalancePlan.getDefaultInstance());
                response.onCompleted();
            }
        };
        AuditInterceptor audit = new AuditInterceptor("sched-2", leaderLog::add, fixedClock());
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).addTransportFilter(caller);
        builder.intercept(Forwarding.serverInterceptor());
        Server server = GrpcServerFactory.start(builder, new PrometheusRegistry(),
                () -> Authorization.guarded(canned.bindService(), OperatorServiceImpl.ACCESS, DenyList.EMPTY,
                        audit));
        open.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        open.add(channel::shutdownNow);
        return channel;
    }

    private static OperatorServiceGrpc.OperatorServiceBlockingStub stub(Channel channel) {
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Clock fixedClock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    private static AuditPrincipal principal(String role, String name, String tenant) {
        return AuditPrincipal.newBuilder().setRole(role).setName(name).setTenant(tenant).build();
    }

    private static AuditRecord record(AuditPrincipal principal, String method, String object, String code,
                                      String message, String replica) {
        return AuditRecord.newBuilder().setTime(Times.timestamp(NOW)).setPrincipal(principal).setMethod(method)
                .setObject(object).setCode(code).setMessage(message).setReplica(replica).build();
    }

    private static void assertFails(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    @Test
    void aForwardedWriteIsRecordedOnceByTheReplicaTheCallerReached() throws Exception {
        assertThat(followerCalledBy(CertifiedCaller.withSubject(OPERATOR)).createVsi(CREATE).getName())
                .isEqualTo("web-1");

        assertThat(leaderServed).containsExactly("CreateVsi web-1");
        assertThat(followerLog).containsExactly(
                record(principal("operator", "operator", ""), "CreateVsi", "web-1", "OK", "", "sched-1"));
        assertThat(leaderLog).as("the leader does not record a call sched-1 forwarded").isEmpty();

        // The leader's audit works: a call made to it directly is its to record.
        stub(leaderCalledBy(CertifiedCaller.withSubject(OPERATOR))).createVsi(CREATE);
        assertThat(leaderLog).containsExactly(
                record(principal("operator", "operator", ""), "CreateVsi", "web-1", "OK", "", "sched-2"));
    }

    @Test
    void aRefusedCallIsRecordedWithItsRefusal() throws Exception {
        var agent = followerCalledBy(CertifiedCaller.withSubject(AGENT));

        assertFails(() -> agent.createVsi(CREATE), Status.Code.PERMISSION_DENIED);
        assertFails(() -> agent.execVsi(ExecVsiRequest.newBuilder().setName("web-1").addCommand("/bin/sh").build()),
                Status.Code.PERMISSION_DENIED);

        // Refused before its request was read: the object is not known.
        assertThat(followerLog).containsExactly(
                record(principal("agent", "host-2", ""), "CreateVsi", "", "PERMISSION_DENIED",
                        "peer 'host-2' (role agent) may not call OperatorService/CreateVsi", "sched-1"),
                record(principal("agent", "host-2", ""), "ExecVsi", "", "PERMISSION_DENIED",
                        "peer 'host-2' (role agent) may not call OperatorService/ExecVsi", "sched-1"));
        assertThat(leaderServed).isEmpty();
        assertThat(leaderLog).isEmpty();
    }

    @Test
    void aTenantsCallIsRecordedWithItsTenantAndTheStatusItGot() throws Exception {
        var alice = followerCalledBy(CertifiedCaller.tenant("alice", "acme"));

        assertFails(() -> alice.startVsi(VsiActionRequest.newBuilder().setName("web-9").build()),
                Status.Code.NOT_FOUND);

        assertThat(followerLog).singleElement().satisfies(r -> {
            assertThat(r.getPrincipal()).isEqualTo(principal("tenant", "alice", "acme"));
            assertThat(r.getMethod()).isEqualTo("StartVsi");
            assertThat(r.getObject()).isEqualTo("web-9");
            assertThat(r.getCode()).isEqualTo("NOT_FOUND");
            assertThat(r.getMessage()).contains("web-9");
        });
    }

    @Test
    void readsAreNotRecordedNorAreDryRuns() throws Exception {
        var operator = followerCalledBy(CertifiedCaller.withSubject(OPERATOR));

        operator.listVsis(ListVsisRequest.getDefaultInstance());
        operator.getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
        operator.listAudit(ListAuditRequest.getDefaultInstance());
        operator.rebalance(RebalanceRequest.newBuilder().setDryRun(true).build());
        assertThat(leaderServed).containsExactly("Rebalance dry_run=true");
        assertThat(followerLog).isEmpty();

        operator.rebalance(RebalanceRequest.newBuilder().setDryRun(false).build());
        assertThat(followerLog).singleElement().satisfies(r -> {
            assertThat(r.getMethod()).isEqualTo("Rebalance");
            assertThat(r.getCode()).isEqualTo("OK");
        });
        assertThat(leaderLog).isEmpty();
    }

    @Test
    void aRefusedReadIsNotRecorded() throws Exception {
        var agent = followerCalledBy(CertifiedCaller.withSubject(AGENT));

        assertFails(() -> agent.listVsis(ListVsisRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
        assertThat(followerLog).isEmpty();
    }

    /** hvf-forwarded-by is believed from a scheduler certificate only: an operator sending it is still recorded. */
    @Test
    void aCallerCannotHideItsCallBehindTheForwardedHeader() throws Exception {
        Metadata forged = new Metadata();
        forged.put(Forwarding.FORWARDED_BY, "sched-1");
        var disguised = stub(ClientInterceptors.intercept(leaderCalledBy(CertifiedCaller.withSubject(OPERATOR)),
                MetadataUtils.newAttachHeadersInterceptor(forged)));

        disguised.createVsi(CREATE);

        assertThat(leaderLog).containsExactly(
                record(principal("operator", "operator", ""), "CreateVsi", "web-1", "OK", "", "sched-2"));
    }

    @Test
    void longMessagesAreCutTo200Characters() {
        String cut = AuditInterceptor.shortened("x".repeat(300));

        assertThat(cut).hasSize(AuditInterceptor.MAX_MESSAGE).endsWith("…");
        assertThat(AuditInterceptor.shortened("short")).isEqualTo("short");
        assertThat(AuditInterceptor.shortened(null)).isEmpty();
    }

    @Test
    void listAuditIsForOperatorsAndReadsTheStore() throws Exception {
        AuditRecord old = record(principal("operator", "operator", ""), "CordonHost", "host-1", "OK", "", "sched-2")
                .toBuilder().setTime(Times.timestamp(NOW.minusSeconds(3600))).build();
        AuditRecord recent = record(principal("agent", "host-2", ""), "CreateVsi", "", "PERMISSION_DENIED", "no",
                "sched-1");
        store.append(old);
        store.append(recent);
        var operator = followerCalledBy(CertifiedCaller.withSubject(OPERATOR));

        assertThat(operator.listAudit(ListAuditRequest.getDefaultInstance()).getRecordsList())
                .containsExactly(old, recent);
        assertThat(operator.listAudit(ListAuditRequest.newBuilder().setSince(Times.timestamp(NOW.minusSeconds(60)))
                .build()).getRecordsList()).containsExactly(recent);
        assertThat(operator.listAudit(ListAuditRequest.newBuilder().setLimit(1).build()).getRecordsList())
                .containsExactly(recent);
        assertFails(() -> operator.listAudit(ListAuditRequest.newBuilder().setLimit(1001).build()),
                Status.Code.INVALID_ARGUMENT);

        var tenant = followerCalledBy(CertifiedCaller.tenant("alice", "acme"));
        assertFails(() -> tenant.listAudit(ListAuditRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
    }
}
