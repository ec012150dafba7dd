package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.ListMigrationsRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.ListVsisResponse;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OperatorService as a follower serves a tenant's principal (the real OperatorServiceImpl behind the production
 * interceptors, over a view fed with two tenants' VSIs, forwarding writes to a {@link RecordingLeader}, console and
 * exec relayed to a {@link FakeAgent}): a tenant sees and acts on its own VSIs only, another tenant's VSI is answered
 * exactly as a missing one, operator-only methods are refused, and nothing refused reaches the leader or an agent.
 */
@Timeout(20)
class TenantAuthorizationTest {
    private static final String DENIED_PREFIX = "peer 'alice' (role tenant, tenant 'acme') may not ";
    /** What a tenant's principal may call, as the access table promises it. */
    private static final Set<String> TENANT_METHODS = Set.of("CreateVsi", "ListVsis", "GetVsi", "StartVsi", "StopVsi",
            "DeleteVsi", "WatchVsi", "StreamConsole", "ExecVsi", "ListMigrations", "GetMigration", "WatchMigration",
            "ListImages", "CreateNetwork", "ListNetworks", "GetNetwork", "DeleteNetwork", "ListEvents", "WatchEvents",
            "CreateVolume", "ListVolumes", "GetVolume", "DeleteVolume", "ResizeVolume");

    private final ViewFeed feed = new ViewFeed();
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private FakeAgent agent;
    /** The leader of the replica {@link #serve} started last. */
    private RecordingLeader leader;

    @BeforeEach
    void cluster() throws Exception {
        agent = new FakeAgent();
        opened.push(agent);
        feed.put(Keys.Kind.HOST, "h1", HostRecord.newBuilder().setId("h1").setAddress("10.0.0.1:7100").build());
        feed.put(Keys.Kind.ALIVE, "h1", AliveRecord.newBuilder().setLeaseId(1).build());
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.TENANT, "beta", Tenant.newBuilder().setName("beta").build());
        // A migration of an earlier VSI named a-1 (recorded before today's a-1 was created): not acme's to see.
        migration("m-old", "a-1");
        vsi("a-1", "acme");
        vsi("b-1", "beta");
        vsi("ops-1", "");
        migration("m-a", "a-1");
        migration("m-b", "b-1");
    }

    @AfterEach
    void stop() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    private void vsi(String name, String tenant) {
        feed.put(Keys.Kind.VSI, name, VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(64).setTenant(tenant))
                .setHost("h1").setState(Vsi.State.RUNNING).setDesired("RUNNING").build());
    }

    private void migration(String id, String vsi) {
        feed.put(Keys.Kind.MIGRATION, id, Migration.newBuilder().setId(id).setName(vsi).setFrom("h1").setTo("h2")
                .setPhase(Migration.Phase.COMPLETED).build());
    }

    /** The follower sched-1 serving callers that present {@code caller}'s certificate. */
    private OperatorServiceGrpc.OperatorServiceBlockingStub calledBy(CertifiedCaller caller) throws Exception {
        return OperatorServiceGrpc.newBlockingStub(serve(caller).channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private ServedReplica serve(CertifiedCaller caller) throws Exception {
        leader = new RecordingLeader("CN=sched-1,OU=scheduler");
        opened.push(leader);
        Forwarding forwarding = leader.forwardingFrom("sched-1");
        opened.push(forwarding);
        GuestExecRelay exec = new GuestExecRelay(GuestExecRelay.Lookup.of(feed.view(), (kind, id) -> "reachable"),
                agent::channelFor);
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, null, null,
                new ConsoleRelay(agent::channelFor), exec, null, null, null, null, null, null);
        OperatorServiceImpl operator = new OperatorServiceImpl(feed.view(), "sched-1", List.of(),
                (kind, id) -> "reachable", List::of, writes);
        ServedReplica follower = new ServedReplica(caller, operator);
        opened.push(follower);
        return follower;
    }

    private static OperatorServiceGrpc.OperatorServiceBlockingStub stub(Channel channel) {
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void anotherTenantsVsiIsAnsweredExactlyAsAMissingOne() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));
        Map<String, Consumer<String>> calls = new LinkedHashMap<>();
        calls.put("GetVsi", name -> alice.getVsi(GetVsiRequest.newBuilder().setName(name).build()));
        calls.put("WatchVsi", name -> alice.watchVsi(GetVsiRequest.newBuilder().setName(name).build()).hasNext());
        calls.put("StreamConsole",
                name -> alice.streamConsole(ConsoleRequest.newBuilder().setName(name).build()).hasNext());
        calls.put("ExecVsi", name -> alice.execVsi(ExecVsiRequest.newBuilder().setName(name).addCommand("/bin/true")
                .build()));
        calls.put("StartVsi", name -> alice.startVsi(VsiActionRequest.newBuilder().setName(name).build()));
        calls.put("StopVsi", name -> alice.stopVsi(VsiActionRequest.newBuilder().setName(name).build()));
        calls.put("DeleteVsi", name -> alice.deleteVsi(VsiActionRequest.newBuilder().setName(name).build()));

        Map<String, Status> othersVsi = new LinkedHashMap<>();
        calls.forEach((method, call) -> othersVsi.put(method, statusOf(() -> call.accept("b-1"))));
        feed.delete(Keys.Kind.VSI, "b-1");
        Map<String, Status> missingVsi = new LinkedHashMap<>();
        calls.forEach((method, call) -> missingVsi.put(method, statusOf(() -> call.accept("b-1"))));

        othersVsi.forEach((method, status) -> {
            assertThat(status.getCode()).as(method).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(status.getDescription()).as(method).isEqualTo("vsi 'b-1' not found")
                    .isEqualTo(missingVsi.get(method).getDescription());
            assertThat(missingVsi.get(method).getCode()).as(method).isEqualTo(Status.Code.NOT_FOUND);
        });
        assertThat(leader.received).as("nothing forwarded").isEmpty();
        assertThat(agent.execs).as("no agent asked to exec").isEmpty();
        assertThat(agent.consoles).as("no console relayed").isEmpty();
    }

    @Test
    void theOperatorsOwnVsisAreHiddenFromATenantToo() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));

        assertThat(statusOf(() -> alice.getVsi(GetVsiRequest.newBuilder().setName("ops-1").build())).getDescription())
                .isEqualTo("vsi 'ops-1' not found");
    }

    @Test
    void aTenantActsOnItsOwnVsiAndTheLeaderLearnsWhichTenantAsked() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));

        assertThat(alice.getVsi(GetVsiRequest.newBuilder().setName("a-1").build()).getTenant()).isEqualTo("acme");
        assertThat(alice.streamConsole(ConsoleRequest.newBuilder().setName("a-1").build()).next().getData()
                .toStringUtf8()).isEqualTo("console of a-1");
        assertThat(alice.execVsi(ExecVsiRequest.newBuilder().setName("a-1").addCommand("/bin/true").build())
                .getHost()).isEqualTo("h1");
        alice.stopVsi(VsiActionRequest.newBuilder().setName("a-1").build());
        alice.deleteVsi(VsiActionRequest.newBuilder().setName("a-1").build());

        assertThat(agent.execs).singleElement().satisfies(r -> assertThat(r.getName()).isEqualTo("a-1"));
        assertThat(leader.received).extracting(RecordingLeader.Received::method).containsExactly("StopVsi", "DeleteVsi");
        assertThat(leader.received).allSatisfy(r ->
                assertThat(r.principal()).contains(Peer.authenticated("alice", "tenant", "acme")));
    }

    @Test
    void aTenantListsOnlyItsOwnVsisAndAnOperatorListsEveryTenants() throws Exception {
        ListVsisResponse asAlice = calledBy(CertifiedCaller.tenant("alice", "acme"))
                .listVsis(ListVsisRequest.getDefaultInstance());
        ListVsisResponse asOperator = calledBy(CertifiedCaller.withSubject("CN=operator,OU=operator"))
                .listVsis(ListVsisRequest.getDefaultInstance());

        assertThat(asAlice.getTenant()).isEqualTo("acme");
        assertThat(asAlice.getVsisList()).extracting(Vsi::getName).containsExactly("a-1");
        assertThat(asOperator.getTenant()).isEmpty();
        assertThat(asOperator.getVsisList()).extracting(Vsi::getName, Vsi::getTenant)
                .containsExactly(tuple("a-1", "acme"), tuple("b-1", "beta"), tuple("ops-1", ""));
    }

    @Test
    void aTenantCannotListVsisByHost() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));

        assertDenied(() -> alice.listVsis(ListVsisRequest.newBuilder().setHost("h1").build()),
                DENIED_PREFIX + "list VSIs by host");
    }

    @Test
    void aTenantSeesTheMigrationsOfItsOwnVsisOnly() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));

        assertThat(alice.listMigrations(ListMigrationsRequest.getDefaultInstance()).getMigrationsList())
                .extracting(Migration::getId).containsExactly("m-a");
        assertThat(alice.getMigration(GetMigrationRequest.newBuilder().setId("m-a").build()).getName())
                .isEqualTo("a-1");
        for (String hidden : List.of("m-b", "m-old")) {
            Status status = statusOf(() -> alice.getMigration(GetMigrationRequest.newBuilder().setId(hidden).build()));
            assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(status.getDescription()).isEqualTo("migration '" + hidden + "' not found");
            assertThat(statusOf(() -> alice.watchMigration(GetMigrationRequest.newBuilder().setId(hidden).build())
                    .hasNext()).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        }
    }

    @Test
    void aTenantMayCallNoOperatorOnlyMethod() throws Exception {
        Channel channel = serve(CertifiedCaller.tenant("alice", "acme")).channel();
        List<String> refused = new ArrayList<>();
        for (MethodDescriptor<?, ?> method : OperatorServiceGrpc.getServiceDescriptor().getMethods()) {
            if (TENANT_METHODS.contains(method.getBareMethodName())) {
                continue;
            }
            assertDenied(() -> callWithEmptyRequest(channel, method),
                    DENIED_PREFIX + "call OperatorService/" + method.getBareMethodName());
            refused.add(method.getBareMethodName());
        }

        assertThat(refused).contains("ListHosts", "GetHost", "CordonHost", "UncordonHost", "DrainHost", "GetDrain",
                "CancelDrain", "Rebalance", "GetClusterStatus", "RegisterImage", "MigrateVsi", "CancelMigration",
                "CreateTenant", "ListTenants", "GetTenant", "DeleteTenant");
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    @Test
    void aTenantsCreateLandsInItsOwnTenant() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));

        alice.createVsi(create(VsiSpec.newBuilder().setName("a-2").setVcpus(1).setMemoryMib(64)));

        assertThat(leader.received).singleElement().satisfies(r -> {
            assertThat(((CreateVsiRequest) r.request()).getSpec().getTenant()).isEqualTo("acme");
            assertThat(r.principal()).contains(Peer.authenticated("alice", "tenant", "acme"));
        });
    }

    @Test
    void aTenantCannotCreateInAnotherTenantNorChooseTheHost() throws Exception {
        var alice = calledBy(CertifiedCaller.tenant("alice", "acme"));

        assertDenied(() -> alice.createVsi(create(VsiSpec.newBuilder().setName("a-2").setTenant("beta"))),
                DENIED_PREFIX + "create VSIs in tenant 'beta'");
        assertDenied(() -> alice.createVsi(create(VsiSpec.newBuilder().setName("a-2").setHost("h1"))),
                DENIED_PREFIX + "choose the host of a VSI");
        assertThat(leader.received).isEmpty();
    }

    @Test
    void anOperatorCreatesInAnyTenant() throws Exception {
        var operator = calledBy(CertifiedCaller.withSubject("CN=operator,OU=operator"));

        operator.createVsi(create(VsiSpec.newBuilder().setName("b-2").setTenant("beta").setHost("h1")));

        assertThat(leader.received).singleElement().satisfies(r ->
                assertThat(((CreateVsiRequest) r.request()).getSpec().getTenant()).isEqualTo("beta"));
    }

    @Test
    void aTenantCertificateWithoutItsTenantUriIsRefused() throws Exception {
        var mallory = calledBy(CertifiedCaller.withSubject("CN=mallory,OU=tenant"));

        assertDenied(() -> mallory.listVsis(ListVsisRequest.getDefaultInstance()),
                "peer 'mallory' (role tenant) names no tenant (a tenant certificate carries the URI SAN"
                        + " spiffe://hvfabric/tenant/<tenant>/user/mallory)");
    }

    @Test
    void aForwardedTenantPrincipalIsScopedToTheTenantItNames() throws Exception {
        ServedReplica replica = serve(CertifiedCaller.withSubject("CN=sched-2,OU=scheduler"));

        ListVsisResponse forwarded = stub(replica.channelForwarding("tenant/alice/acme", "5a3f"))
                .listVsis(ListVsisRequest.getDefaultInstance());

        assertThat(forwarded.getVsisList()).extracting(Vsi::getName).containsExactly("a-1");
        assertDenied(() -> stub(replica.channelForwarding("tenant/alice", "5a3f"))
                        .listVsis(ListVsisRequest.getDefaultInstance()),
                "peer 'alice' (role tenant) names no tenant (a tenant certificate carries the URI SAN"
                        + " spiffe://hvfabric/tenant/<tenant>/user/alice)");
    }

    @Test
    void aTenantPrincipalHeaderFromATenantIsIgnored() throws Exception {
        ServedReplica replica = serve(CertifiedCaller.tenant("alice", "acme"));

        ListVsisResponse forged = stub(replica.channelSending(CallerIdentity.PRINCIPAL, "operator/alice"))
                .listVsis(ListVsisRequest.getDefaultInstance());

        assertThat(forged.getTenant()).isEqualTo("acme");
        assertThat(forged.getVsisList()).extracting(Vsi::getName).containsExactly("a-1");
    }

    private static CreateVsiRequest create(VsiSpec.Builder spec) {
        return CreateVsiRequest.newBuilder().setSpec(spec).build();
    }

    private static Status statusOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
    }

    private static void assertDenied(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
    }

    @SuppressWarnings("unchecked")
    private static void callWithEmptyRequest(Channel channel, MethodDescriptor<?, ?> method) {
        var typed = (MethodDescriptor<Object, Object>) method;
        Object request = ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller()).getMessagePrototype();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        if (method.getType() == MethodDescriptor.MethodType.UNARY) {
            ClientCalls.blockingUnaryCall(channel, typed, options, request);
        } else {
            ClientCalls.blockingServerStreamingCall(channel, typed, options, request).hasNext();
        }
    }
}
