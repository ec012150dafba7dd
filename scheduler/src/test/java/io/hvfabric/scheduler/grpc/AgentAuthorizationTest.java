package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AgentService as a follower replica serves it (the real AgentServiceImpl behind the production interceptors,
 * forwarding registrations to a {@link RecordingLeader}): only agents, each only for the host its certificate names.
 * The registry is absent on purpose: a refused call must not get as far as touching it.
 */
@Timeout(20)
class AgentAuthorizationTest {
    private static final String HOST_2 = "CN=host-2,OU=agent";
    private static final String SCHEDULER = "CN=sched-2,OU=scheduler";

    private RecordingLeader leader;
    private Forwarding forwarding;
    private ServedReplica follower;

    @AfterEach
    void stop() throws Exception {
        if (follower != null) {
            follower.close();
        }
        if (forwarding != null) {
            forwarding.close();
        }
        if (leader != null) {
            leader.close();
        }
    }

    /** The follower sched-1 serving callers with {@code subject}; null for a plaintext fabric throughout. */
    private ServedReplica followerCalledBy(String subject) throws Exception {
        leader = new RecordingLeader(subject == null ? null : "CN=sched-1,OU=scheduler");
        forwarding = leader.forwardingFrom("sched-1");
        ClusterView view = new ClusterView(null, new Keys(Keys.DEFAULT_PREFIX)); // never started: nobody leads
        follower = new ServedReplica(subject,
                new AgentServiceImpl(null, forwarding, view, new DesiredStates(view), null, null));
        return follower;
    }

    private static AgentServiceGrpc.AgentServiceBlockingStub stub(Channel channel) {
        return AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static RegisterRequest register(String hostId) {
        return RegisterRequest.newBuilder().setHostId(hostId).setAddress("10.0.0.2:7100")
                .setCapacity(Resources.newBuilder().setVcpus(2).setMemoryMib(1024)).build();
    }

    private static void assertDenied(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
    }

    @Test
    void anOperatorCertificateCannotRegisterAHost() throws Exception {
        var operator = stub(followerCalledBy("CN=operator,OU=operator").channel());

        assertDenied(() -> operator.register(register("host-9")),
                "peer 'operator' (role operator) may not call AgentService/Register");
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    @Test
    void aHostCertificateCannotActForAnotherHost() throws Exception {
        var host2 = stub(followerCalledBy(HOST_2).channel());
        String refusal = "peer 'host-2' (role agent) may not act for host 'host-3'";

        assertDenied(() -> host2.register(register("host-3")), refusal);
        assertDenied(() -> host2.heartbeat(HeartbeatRequest.newBuilder().setHostId("host-3").setLeaseId(7).build()),
                refusal);
        assertDenied(() -> host2.commands(CommandsRequest.newBuilder().setHostId("host-3").build()).hasNext(),
                refusal);
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    /** The key a host's QEMUs get for live migration: same CN as the agent's, but it cannot act as the agent. */
    @Test
    void aHostsMigrationCertificateCannotActForThatHost() throws Exception {
        var migration = stub(followerCalledBy("CN=host-2,OU=migration").channel());

        assertDenied(() -> migration.register(register("host-2")),
                "peer 'host-2' (role migration) may not call AgentService/Register");
        assertDenied(() -> migration.heartbeat(HeartbeatRequest.newBuilder().setHostId("host-2").setLeaseId(7).build()),
                "peer 'host-2' (role migration) may not call AgentService/Heartbeat");
        assertDenied(() -> migration.commands(CommandsRequest.newBuilder().setHostId("host-2").build()).hasNext(),
                "peer 'host-2' (role migration) may not call AgentService/Commands");
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    @Test
    void aHostRegistersItselfThroughTheLeaderAsItself() throws Exception {
        var host2 = stub(followerCalledBy(HOST_2).channel());

        assertThat(host2.register(register("host-2")).getLeaseId()).isEqualTo(RecordingLeader.LEASE);
        assertThat(leader.received).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("Register");
            assertThat(r.principal()).contains(Peer.authenticated("host-2", "agent"));
        });
    }

    @Test
    void aHostsOwnCommandStreamStaysOpen() throws Exception {
        var host2 = AgentServiceGrpc.newBlockingStub(followerCalledBy(HOST_2).channel())
                .withDeadlineAfter(500, TimeUnit.MILLISECONDS);

        // Nobody leads in this view, so nothing is sent: an accepted stream ends only at the caller's deadline.
        assertThatThrownBy(() -> host2.commands(CommandsRequest.newBuilder().setHostId("host-2").build()).hasNext())
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }

    @Test
    void aPrincipalHeaderFromAnAgentIsIgnored() throws Exception {
        var forged = stub(followerCalledBy(HOST_2).channelSending(CallerIdentity.PRINCIPAL, "agent/host-3"));

        assertDenied(() -> forged.register(register("host-3")),
                "peer 'host-2' (role agent) may not act for host 'host-3'");
        assertThat(leader.received).isEmpty();
    }

    @Test
    void aSchedulerForwardingForAHostIsServedAsThatHostOnly() throws Exception {
        var forwarded = stub(followerCalledBy(SCHEDULER).channelForwarding("agent/host-2", "5a3f"));

        assertDenied(() -> forwarded.register(register("host-3")),
                "peer 'host-2' (role agent) may not act for host 'host-3'");
        assertThat(forwarded.register(register("host-2")).getLeaseId()).isEqualTo(RecordingLeader.LEASE);
        assertThat(leader.received).singleElement()
                .satisfies(r -> assertThat(r.principal()).contains(Peer.authenticated("host-2", "agent")));
    }

    @Test
    void aSchedulerWithoutAForwardedPrincipalIsNoAgent() throws Exception {
        var scheduler = stub(followerCalledBy(SCHEDULER).channel());

        assertDenied(() -> scheduler.heartbeat(HeartbeatRequest.newBuilder().setHostId("host-2").build()),
                "peer 'sched-2' (role scheduler) may not call AgentService/Heartbeat");
    }

    @Test
    void aPlaintextFabricRegistersAnyHostAsToday() throws Exception {
        var anyone = stub(followerCalledBy(null).channel());

        assertThat(anyone.register(register("host-3")).getLeaseId()).isEqualTo(RecordingLeader.LEASE);
        assertThat(leader.received).singleElement()
                .satisfies(r -> assertThat(r.principal()).contains(Peer.INSECURE));
    }
}
