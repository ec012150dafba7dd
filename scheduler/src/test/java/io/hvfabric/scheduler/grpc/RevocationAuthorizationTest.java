package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.ListRevokedCertificatesRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deny list as a replica applies it: the real OperatorServiceImpl and AgentServiceImpl behind the production
 * interceptors, over a view fed the way the etcd watch feeds it. A revoked certificate is refused from its next call
 * on, on the connection it already has open, whatever its role and whichever service, in one line naming the serial;
 * the refusal is audited; a forwarded principal is checked by its own certificate's serial, and a revoked scheduler
 * forwards for nobody. Every other certificate goes on as before.
 */
@Timeout(20)
class RevocationAuthorizationTest {
    private static final CreateVsiRequest CREATE = CreateVsiRequest.newBuilder()
            .setSpec(VsiSpec.newBuilder().setName("a-2").setVcpus(1).setMemoryMib(64)).build();

    private final ViewFeed feed = new ViewFeed();
    private final List<AuditRecord> audited = new CopyOnWriteArrayList<>();
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    /** The leader of the replica {@link #serve} started last. */
    private RecordingLeader leader;

    @BeforeEach
    void cluster() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.VSI, "a-1", VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("a-1").setVcpus(1).setMemoryMib(64).setTenant("acme"))
                .setHost("h1").setState(Vsi.State.RUNNING).setDesired("RUNNING").build());
    }

    @AfterEach
    void stop() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    /** The follower sched-1, auditing what it receives, serving callers that present {@code caller}'s certificate. */
    private ServedReplica serve(CertifiedCaller caller) throws Exception {
        leader = new RecordingLeader("CN=sched-1,OU=scheduler");
        opened.push(leader);
        Forwarding forwarding = leader.forwardingFrom("sched-1");
        opened.push(forwarding);
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, null, null, (ConsoleRelay) null,
                null, null, null, null, null, null, null);
        OperatorServiceImpl operator = new OperatorServiceImpl(feed.view(), "sched-1", List.of(),
                (kind, id) -> "reachable", List::of, writes, new OperatorServiceImpl.Audit(
                        new AuditInterceptor("sched-1", audited::add, Clock.systemUTC()), null));
        AgentServiceImpl agents = new AgentServiceImpl(null, forwarding, feed.view(), new DesiredStates(feed.view()),
                null, null);
        ServedReplica replica = new ServedReplica(caller, operator, agents);
        opened.push(replica);
        return replica;
    }

    /** What an operator's RevokeCertificate commits, as the watch brings it to this replica's view. */
    private void revoke(CertificateSerial serial) {
        feed.put(Keys.Kind.REVOKED, serial.hex(), RevokedCertificate.newBuilder().setSerial(serial.hex())
                .setReason("stolen").build());
    }

    private static OperatorServiceGrpc.OperatorServiceBlockingStub operator(Channel channel) {
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static void assertRefused(Runnable call, Status.Code code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
    }

    private static void assertRevoked(Runnable call, CertificateSerial serial) {
        assertRefused(call, Status.Code.UNAUTHENTICATED, "certificate serial " + serial.hex() + " is revoked");
    }

    @Test
    void aRevokedTenantIsRefusedOnTheConnectionItHasOpenFromItsNextCallOn() throws Exception {
        CertifiedCaller alice = CertifiedCaller.tenant("alice", "acme");
        var open = operator(serve(alice).channel());
        assertThat(open.listVsis(ListVsisRequest.getDefaultInstance()).getVsisList()).extracting(Vsi::getName)
                .containsExactly("a-1");

        revoke(alice.serial());

        assertRevoked(() -> open.listVsis(ListVsisRequest.getDefaultInstance()), alice.serial());
        assertRevoked(() -> open.getVsi(GetVsiRequest.newBuilder().setName("a-1").build()), alice.serial());
        assertRevoked(() -> open.watchVsi(GetVsiRequest.newBuilder().setName("a-1").build()).hasNext(),
                alice.serial());
        assertRevoked(() -> open.createVsi(CREATE), alice.serial());
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    @Test
    void theRefusalIsAuditedUnderThePrincipalItWasRefusedTo() throws Exception {
        CertifiedCaller alice = CertifiedCaller.tenant("alice", "acme");
        var open = operator(serve(alice).channel());
        revoke(alice.serial());

        assertRevoked(() -> open.createVsi(CREATE), alice.serial());

        assertThat(audited).singleElement().satisfies(r -> {
            assertThat(r.getPrincipal()).isEqualTo(AuditPrincipal.newBuilder().setRole("tenant").setName("alice")
                    .setTenant("acme").build());
            assertThat(r.getMethod()).isEqualTo("CreateVsi");
            assertThat(r.getObject()).as("refused before its request was read").isEmpty();
            assertThat(r.getCode()).isEqualTo("UNAUTHENTICATED");
            assertThat(r.getMessage()).isEqualTo("certificate serial " + alice.serial().hex() + " is revoked");
        });
    }

    @Test
    void anotherCertificateOfTheSameTenantAndUserStillPasses() throws Exception {
        CertifiedCaller stolen = CertifiedCaller.tenant("alice", "acme");
        CertifiedCaller reissued = CertifiedCaller.tenant("alice", "acme");
        revoke(stolen.serial());

        assertThat(operator(serve(reissued).channel()).listVsis(ListVsisRequest.getDefaultInstance()).getVsisList())
                .extracting(Vsi::getName).containsExactly("a-1");
        assertThat(operator(serve(CertifiedCaller.withSubject("CN=operator,OU=operator")).channel()).createVsi(CREATE)
                .getName()).isEqualTo("a-2");
    }

    @Test
    void aRevokedAgentCertificateIsRefusedByAgentServiceToo() throws Exception {
        CertifiedCaller host1 = CertifiedCaller.withSubject("CN=host-1,OU=agent");
        var agent = AgentServiceGrpc.newBlockingStub(serve(host1).channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        RegisterRequest register = RegisterRequest.newBuilder().setHostId("host-1").setAddress("10.0.0.1:7100")
                .setCapacity(Resources.newBuilder().setVcpus(2).setMemoryMib(1024)).build();
        assertThat(agent.register(register).getLeaseId()).isEqualTo(RecordingLeader.LEASE);

        revoke(host1.serial());

        assertRevoked(() -> agent.register(register), host1.serial());
        assertThat(leader.received).as("only the registration before the revocation").hasSize(1);
    }

    @Test
    void aFollowerForwardsThePrincipalWithItsCertificatesSerial() throws Exception {
        CertifiedCaller alice = CertifiedCaller.tenant("alice", "acme");

        operator(serve(alice).channel()).createVsi(CREATE);

        assertThat(leader.received).singleElement().satisfies(r -> {
            assertThat(r.principal()).contains(Peer.authenticated("alice", "tenant", "acme"));
            assertThat(r.serial()).contains(alice.serial());
        });
    }

    @Test
    void aForwardedPrincipalIsRefusedWhenItsOwnCertificateIsRevoked() throws Exception {
        ServedReplica asLeader = serve(CertifiedCaller.withSubject("CN=sched-2,OU=scheduler"));
        var forwarded = operator(asLeader.channelForwarding("tenant/alice/acme", "5a3f"));
        assertThat(forwarded.listVsis(ListVsisRequest.getDefaultInstance()).getVsisList()).hasSize(1);

        revoke(new CertificateSerial("5a3f"));

        assertRevoked(() -> forwarded.listVsis(ListVsisRequest.getDefaultInstance()), new CertificateSerial("5a3f"));
        assertThat(operator(asLeader.channelForwarding("tenant/bob/acme", "5a40"))
                .listVsis(ListVsisRequest.getDefaultInstance()).getVsisList()).hasSize(1);
    }

    @Test
    void aRevokedSchedulerForwardsForNobody() throws Exception {
        CertifiedCaller sched2 = CertifiedCaller.withSubject("CN=sched-2,OU=scheduler");
        ServedReplica asLeader = serve(sched2);
        revoke(sched2.serial());

        assertRevoked(() -> operator(asLeader.channelForwarding("operator/operator", "5a3f"))
                .listVsis(ListVsisRequest.getDefaultInstance()), sched2.serial());
    }

    @Test
    void aForwardedPrincipalWithoutAWellFormedSerialIsRefused() throws Exception {
        ServedReplica asLeader = serve(CertifiedCaller.withSubject("CN=sched-2,OU=scheduler"));

        assertRefused(() -> operator(asLeader.channelSending(CallerIdentity.PRINCIPAL, "operator/operator"))
                        .listVsis(ListVsisRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED,
                "scheduler 'sched-2' forwarded a principal without its certificate serial (hvf-principal-serial)");
        assertRefused(() -> operator(asLeader.channelForwarding("operator/operator", "5A3F"))
                        .listVsis(ListVsisRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED,
                "scheduler 'sched-2' forwarded a malformed hvf-principal-serial header");
    }

    @Test
    void onlyOperatorsMayRevokeOrListRevocations() throws Exception {
        var alice = operator(serve(CertifiedCaller.tenant("alice", "acme")).channel());
        var host1 = operator(serve(CertifiedCaller.withSubject("CN=host-1,OU=agent")).channel());
        revoke(new CertificateSerial("5a3f"));
        revoke(new CertificateSerial("77"));

        assertRefused(() -> alice.revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial("77").build()),
                Status.Code.PERMISSION_DENIED,
                "peer 'alice' (role tenant, tenant 'acme') may not call OperatorService/RevokeCertificate");
        assertRefused(() -> alice.listRevokedCertificates(ListRevokedCertificatesRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED,
                "peer 'alice' (role tenant, tenant 'acme') may not call OperatorService/ListRevokedCertificates");
        assertRefused(() -> host1.revokeCertificate(RevokeCertificateRequest.newBuilder().setSerial("77").build()),
                Status.Code.PERMISSION_DENIED, "peer 'host-1' (role agent) may not call OperatorService/RevokeCertificate");
        assertThat(operator(serve(CertifiedCaller.withSubject("CN=operator,OU=operator")).channel())
                .listRevokedCertificates(ListRevokedCertificatesRequest.getDefaultInstance()).getCertificatesList())
                .extracting(RevokedCertificate::getSerial).containsExactly("5a3f", "77");
    }
}
