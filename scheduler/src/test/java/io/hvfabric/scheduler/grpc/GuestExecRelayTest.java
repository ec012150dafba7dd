package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.scheduler.tenants.TenantScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class GuestExecRelayTest {
    private FakeAgent agent;
    private ClusterFixture cluster;
    private GuestExecRelay relay;

    @BeforeEach
    void start() throws Exception {
        agent = new FakeAgent();
        cluster = new ClusterFixture().host("h1", "10.0.0.1:7100").vsi("web-1", "h1", Vsi.State.RUNNING);
        relay = new GuestExecRelay(cluster, agent::channelFor);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    private static ExecVsiRequest echo(String name) {
        return ExecVsiRequest.newBuilder().setName(name).addCommand("/bin/echo").addCommand("hi").build();
    }

    private void assertRefused(ExecVsiRequest request, ErrorCode code, String message) {
        assertThatThrownBy(() -> relay.exec(request, TenantScope.all())).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void theOwnersAgentRunsTheValidatedRequestAndTheAnswerNamesTheHost() {
        agent.answer = ExecVsiResponse.newBuilder().setExited(true).setExitCode(3)
                .setStdout(ByteString.copyFromUtf8("hi\n")).build();

        ExecVsiResponse answer = relay.exec(echo("web-1").toBuilder().setStdin(ByteString.copyFromUtf8("in")).build(),
                TenantScope.all());

        assertThat(answer.getExitCode()).isEqualTo(3);
        assertThat(answer.getStdout().toStringUtf8()).isEqualTo("hi\n");
        assertThat(answer.getHost()).isEqualTo("h1");
        assertThat(agent.addressesAsked).containsExactly("10.0.0.1:7100");
        assertThat(agent.execs).singleElement().satisfies(r -> {
            assertThat(r.getCommandList()).containsExactly("/bin/echo", "hi");
            assertThat(r.getTimeoutMs()).isEqualTo(10_000);
            assertThat(r.getStdin().toStringUtf8()).isEqualTo("in");
        });
    }

    @Test
    void anUnknownVsiIsNotFound() {
        assertRefused(echo("nope"), ErrorCode.NOT_FOUND, "vsi 'nope' not found");
        assertThat(agent.execs).isEmpty();
    }

    @Test
    void invalidArgumentsAreRefusedBeforeAnyLookup() {
        assertRefused(echo("nope").toBuilder().setTimeoutMs(300_001).build(), ErrorCode.INVALID_ARGUMENT,
                "field 'timeout_ms'");
        assertRefused(ExecVsiRequest.newBuilder().setName("web-1").build(), ErrorCode.INVALID_ARGUMENT,
                "field 'command'");
        assertThat(agent.execs).isEmpty();
    }

    @Test
    void aVsiThatDoesNotRunIsAFailedPrecondition() {
        cluster.vsi("web-1", "h1", Vsi.State.STOPPED);

        assertRefused(echo("web-1"), ErrorCode.FAILED_PRECONDITION, "vsi 'web-1' is STOPPED; exec needs it RUNNING");
        assertThat(agent.execs).isEmpty();
    }

    @Test
    void aDownOrUnreachableHostIsAFailedPrecondition() {
        cluster.membership.put("h1", "unreachable");
        assertRefused(echo("web-1"), ErrorCode.FAILED_PRECONDITION, "agent of host 'h1' (vsi 'web-1') is unreachable");

        cluster.alive.remove("h1");
        assertRefused(echo("web-1"), ErrorCode.FAILED_PRECONDITION, "host 'h1' of vsi 'web-1' is DOWN");
        assertThat(agent.execs).isEmpty();
    }

    @Test
    void aGuestWithoutAgentIsAFailedPrecondition() {
        cluster.guest("h1", "web-1", GuestStatus.newBuilder().setState(GuestStatus.State.NO_AGENT)
                .setMessage("image has no guest agent").build());

        assertRefused(echo("web-1"), ErrorCode.FAILED_PRECONDITION,
                "vsi 'web-1' has no guest agent: image has no guest agent");
        assertThat(agent.execs).isEmpty();
    }

    @Test
    void theAgentsRefusalKeepsItsCodeAndNamesTheHost() {
        agent.failure = Status.FAILED_PRECONDITION.withDescription("guest agent of 'web-1' is BOOTING");

        assertRefused(echo("web-1"), ErrorCode.FAILED_PRECONDITION,
                "agent of host 'h1': guest agent of 'web-1' is BOOTING");
    }

    @Test
    void anUnavailableAgentIsNeverReportedAsUnavailable() {
        agent.failure = Status.UNAVAILABLE.withDescription("connection refused");

        // UNAVAILABLE would make hvctl retry on another replica: the command could run twice.
        assertRefused(echo("web-1"), ErrorCode.FAILED_PRECONDITION, "agent of host 'h1': connection refused");
    }
}
