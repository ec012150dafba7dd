package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attacker's view of ExecVsi: a command in a guest is a root shell there, so only operator certificates may ask,
 * and a refused caller must not get as far as the agent. Served the production way (GrpcServerFactory's interceptors,
 * the real OperatorServiceImpl); only the TLS session is simulated.
 */
@Timeout(20)
class ExecVsiAuthorizationTest {
    private static final ExecVsiRequest ECHO = ExecVsiRequest.newBuilder().setName("web-1").addCommand("/bin/echo")
            .addCommand("pwned").build();

    private FakeAgent agent;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void startAgent() throws Exception {
        agent = new FakeAgent();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        agent.close();
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub callerWith(String subject) throws Exception {
        ClusterFixture cluster = new ClusterFixture().host("h1", "10.0.0.1:7100").vsi("web-1", "h1", Vsi.State.RUNNING);
        GuestExecRelay relay = new GuestExecRelay(cluster, agent::channelFor);
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(null, null, null, (ConsoleRelay) null, relay,
                null, null, null, null, null, null);
        // An empty, never-started view: ExecVsi reads the cluster through the relay only.
        OperatorServiceImpl operator = new OperatorServiceImpl(new ClusterView(null, new Keys(Keys.DEFAULT_PREFIX)),
                "s1", List.of(), (kind, id) -> "reachable", List::of, writes);
        String name = InProcessServerBuilder.generateName();
        server = GrpcServerFactory.start(
                InProcessServerBuilder.forName(name).addTransportFilter(CertifiedCaller.withSubject(subject)),
                new PrometheusRegistry(), operator);
        channel = InProcessChannelBuilder.forName(name).build();
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private void assertDenied(String subject) throws Exception {
        var stub = callerWith(subject);
        assertThatThrownBy(() -> stub.execVsi(ECHO)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).endsWith("may not call OperatorService/ExecVsi");
        });
        assertThat(agent.execs).as("no agent call for a refused caller").isEmpty();
        assertThat(agent.addressesAsked).isEmpty();
    }

    @Test
    void anAgentCertificateIsRefused() throws Exception {
        assertDenied("CN=h2,OU=agent");
    }

    @Test
    void aSchedulerCertificateIsRefused() throws Exception {
        assertDenied("CN=s2,OU=scheduler");
    }

    @Test
    void aCertificateWithoutRoleIsRefused() throws Exception {
        assertDenied("CN=mallory");
    }

    @Test
    void anOperatorCertificateReachesTheAgent() throws Exception {
        ExecVsiResponse answer = callerWith("CN=operator,OU=operator").execVsi(ECHO);

        assertThat(answer.getHost()).isEqualTo("h1");
        assertThat(agent.execs).singleElement().satisfies(r -> assertThat(r.getCommandList())
                .containsExactly("/bin/echo", "pwned"));
    }
}
