package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OperatorService as a follower replica serves it (the real OperatorServiceImpl behind the production interceptors,
 * forwarding writes to a {@link RecordingLeader}): only operators get anything, a refused call never reaches the
 * leader, and the leader learns the operator, not the follower, as the principal of a forwarded write.
 */
@Timeout(20)
class OperatorAuthorizationTest {
    private static final String AGENT = "CN=host-2,OU=agent";
    private static final String OPERATOR = "CN=operator,OU=operator";
    private static final String SCHEDULER = "CN=sched-2,OU=scheduler";
    private static final CreateVsiRequest CREATE = CreateVsiRequest.newBuilder()
            .setSpec(VsiSpec.newBuilder().setName("web-1").setVcpus(1).setMemoryMib(128)).build();

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
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, null, null, (ConsoleRelay) null,
                null, null, null, null, null, null, null);
        // A never-started view: reads answer from an empty cluster.
        OperatorServiceImpl operator = new OperatorServiceImpl(new ClusterView(null, new Keys(Keys.DEFAULT_PREFIX)),
                "sched-1", List.of(), (kind, id) -> "reachable", List::of, writes);
        follower = new ServedReplica(subject, operator);
        return follower;
    }

    private static OperatorServiceGrpc.OperatorServiceBlockingStub stub(Channel channel) {
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static void assertDenied(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isEqualTo(message);
        });
    }

    @Test
    void anAgentCertificateMayCallNoOperatorMethodAtAll() throws Exception {
        Channel channel = followerCalledBy(AGENT).channel();
        var methods = OperatorServiceGrpc.getServiceDescriptor().getMethods();
        assertThat(methods).hasSizeGreaterThan(20);
        for (MethodDescriptor<?, ?> method : methods) {
            assertDenied(() -> callWithEmptyRequest(channel, method),
                    "peer 'host-2' (role agent) may not call OperatorService/" + method.getBareMethodName());
        }
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    @Test
    void anAgentCertificateCannotCreateDeleteOrListVsis() throws Exception {
        var operator = stub(followerCalledBy(AGENT).channel());

        assertDenied(() -> operator.createVsi(CREATE), "peer 'host-2' (role agent) may not call OperatorService/CreateVsi");
        assertDenied(() -> operator.deleteVsi(VsiActionRequest.newBuilder().setName("web-1").build()),
                "peer 'host-2' (role agent) may not call OperatorService/DeleteVsi");
        assertDenied(() -> operator.listVsis(ListVsisRequest.getDefaultInstance()),
                "peer 'host-2' (role agent) may not call OperatorService/ListVsis");
        assertThat(leader.received).as("nothing forwarded").isEmpty();
    }

    @Test
    void aPrincipalHeaderFromAnAgentIsIgnored() throws Exception {
        var forged = stub(followerCalledBy(AGENT).channelSending(CallerIdentity.PRINCIPAL, "operator/operator"));

        assertDenied(() -> forged.createVsi(CREATE), "peer 'host-2' (role agent) may not call OperatorService/CreateVsi");
        assertThat(leader.received).isEmpty();
    }

    @Test
    void anOperatorsWriteReachesTheLeaderOnBehalfOfTheOperator() throws Exception {
        assertThat(stub(followerCalledBy(OPERATOR).channel()).createVsi(CREATE).getName()).isEqualTo("web-1");

        assertThat(leader.received).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("CreateVsi");
            assertThat(r.principal()).contains(Peer.authenticated("operator", "operator"));
        });
    }

    @Test
    void aSchedulerWithoutAForwardedPrincipalHasNoOperatorRights() throws Exception {
        var scheduler = stub(followerCalledBy(SCHEDULER).channel());

        assertDenied(() -> scheduler.listVsis(ListVsisRequest.getDefaultInstance()),
                "peer 'sched-2' (role scheduler) may not call OperatorService/ListVsis");
    }

    @Test
    void aSchedulerForwardingForAnOperatorIsServedAsThatOperator() throws Exception {
        var forwarded = stub(followerCalledBy(SCHEDULER).channelForwarding("operator/alice", "5a3f"));

        assertThat(forwarded.listVsis(ListVsisRequest.getDefaultInstance()).getVsisList()).isEmpty();
    }

    @Test
    void aSchedulerForwardingForAnAgentGivesItNoOperatorRights() throws Exception {
        var forwarded = stub(followerCalledBy(SCHEDULER).channelForwarding("agent/host-2", "5a3f"));

        assertDenied(() -> forwarded.listVsis(ListVsisRequest.getDefaultInstance()),
                "peer 'host-2' (role agent) may not call OperatorService/ListVsis");
    }

    @Test
    void aPlaintextFabricServesEveryCallAsToday() throws Exception {
        var anyone = stub(followerCalledBy(null).channel());

        assertThat(anyone.listVsis(ListVsisRequest.getDefaultInstance()).getVsisList()).isEmpty();
        assertThat(anyone.createVsi(CREATE).getName()).isEqualTo("web-1");
        assertThat(leader.received).singleElement()
                .satisfies(r -> assertThat(r.principal()).contains(Peer.INSECURE));
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
