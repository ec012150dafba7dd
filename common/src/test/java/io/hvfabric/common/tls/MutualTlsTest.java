package io.hvfabric.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class MutualTlsTest {
    @TempDir
    Path dir;

    private TestPki fabricCa;
    private Server server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** Answers GetHost with the caller's identity (the address: its certificate's serial); operators and schedulers. */
    static final class WhoAmI extends OperatorServiceGrpc.OperatorServiceImplBase {
        @Override
        public void getHost(GetHostRequest request, StreamObserver<Host> response) {
            Peer peer = PeerIdentity.requireRole(Roles.OPERATOR, Roles.SCHEDULER);
            response.onNext(Host.newBuilder().setId(peer.name()).setAdminState(peer.role())
                    .setAddress(PeerIdentity.currentSerial().map(CertificateSerial::hex).orElse("none")).build());
            response.onCompleted();
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        fabricCa = TestPki.create("fabric-ca");
        TlsFiles serverTls = fabricCa.issue(dir.resolve("server"), "scheduler", "s1", Roles.SCHEDULER);
        server = GrpcServerFactory.start(
                GrpcTls.serverBuilder(new InetSocketAddress("127.0.0.1", 0), Optional.of(serverTls)),
                new PrometheusRegistry(), new WhoAmI());
    }

    @AfterEach
    void stop() throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void clientWithFabricCertificateIsServedAndIdentified() throws Exception {
        TlsFiles operator = fabricCa.issue(dir.resolve("op"), "hvctl", "alice", Roles.OPERATOR);

        Host reply = stub(GrpcTls.channel("127.0.0.1:" + server.getPort(), Optional.of(operator)))
                .getHost(GetHostRequest.getDefaultInstance());

        assertThat(reply.getId()).isEqualTo("alice");
        assertThat(reply.getAdminState()).isEqualTo(Roles.OPERATOR);
    }

    @Test
    void theServerKnowsTheSerialOfTheCertificateTheClientPresented() throws Exception {
        TlsFiles operator = fabricCa.issue(dir.resolve("op"), "hvctl", "alice", Roles.OPERATOR);
        X509Certificate presented;
        try (InputStream in = Files.newInputStream(operator.cert())) {
            presented = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }

        Host reply = stub(GrpcTls.channel("127.0.0.1:" + server.getPort(), Optional.of(operator)))
                .getHost(GetHostRequest.getDefaultInstance());

        assertThat(reply.getAddress()).isEqualTo(presented.getSerialNumber().toString(16));
    }

    @Test
    void clientWithWrongRoleIsDenied() throws Exception {
        TlsFiles agent = fabricCa.issue(dir.resolve("agent"), "agent", "h1", Roles.AGENT);

        assertThatThrownBy(() -> stub(GrpcTls.channel("127.0.0.1:" + server.getPort(), Optional.of(agent)))
                        .getHost(GetHostRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("peer 'h1' has role 'agent'; this call requires one of [operator, scheduler]");
                });
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        TlsFiles operator = fabricCa.issue(dir.resolve("op"), "hvctl", "alice", Roles.OPERATOR);
        ManagedChannel noClientCert = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(operator.ca().toFile()).build())
                .build();

        assertThatThrownBy(() -> stub(noClientCert).getHost(GetHostRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void clientWithCertificateFromAnotherCaIsRefused() throws Exception {
        TlsFiles foreign = TestPki.create("other-ca").issue(dir.resolve("foreign"), "hvctl", "mallory", Roles.OPERATOR);
        // A TLS client normally withholds a certificate the server's CA list does not name; this impostor presents
        // it anyway, so the server's verification of the chain is what refuses it.
        ManagedChannel impostor = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(GrpcSslContexts.forClient()
                        .keyManager(TestPki.alwaysPresenting(foreign))
                        .trustManager(dir.resolve("server/ca.crt").toFile())
                        .build())
                .build();

        assertThatThrownBy(() -> stub(impostor).getHost(GetHostRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void clientRefusesServerFromAnotherCa() throws Exception {
        TlsFiles trustsOtherCa = TestPki.create("other-ca").issue(dir.resolve("other"), "hvctl", "bob", Roles.OPERATOR);

        assertThatThrownBy(() -> stub(GrpcTls.channel("127.0.0.1:" + server.getPort(), Optional.of(trustsOtherCa)))
                        .getHost(GetHostRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void missingFilesAndBadAddressesAreNamed() {
        assertThatThrownBy(() -> TlsFiles.inDir(dir, "agent"))
                .isInstanceOf(FabricException.class)
                .hasMessage("field 'tls ca': file " + dir.resolve("ca.crt") + " does not exist or is not a regular file");
        assertThatThrownBy(() -> GrpcTls.channel("127.0.0.1", Optional.empty()))
                .hasMessage("field 'target': must be host:port (got '127.0.0.1')");
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub stub(ManagedChannel channel) {
        channels.add(channel);
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
}
