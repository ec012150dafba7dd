package io.hvfabric.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.hvfabric.cli.Hvctl;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.FakeOperatorService;
import io.hvfabric.cli.testing.Hosts;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** hvctl against a real TLS socket on a free loopback port, with certificates from the fabric CA. */
@Timeout(60)
class MutualTlsTest {
    @TempDir
    Path dir;

    private final FakeOperatorService service = new FakeOperatorService();
    private Server server;
    private String endpoint;
    private FabricCa ca;

    @BeforeEach
    void startServer() throws Exception {
        ca = FabricCa.init(dir);
        IssuedCertificate serverCert = ca.issue("sched-1", Role.SCHEDULER, List.of(), List.of());
        ca.issue("operator", Role.OPERATOR, List.of(), List.of());
        service.hosts.put("h1", Hosts.ready("h1", 4, 4096));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.forServer(serverCert.certificateFile().toFile(), serverCert.keyFile().toFile())
                        .trustManager(ca.certificatePath().toFile())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build())
                .addService(service)
                .build()
                .start();
        endpoint = "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void operatorCertificateFromTheFabricCaIsAccepted() {
        CliRun run = hvctl(Map.of(), "host", "list", "--scheduler", endpoint, "--tls-dir", dir.toString(), "-o", "json");

        assertThat(run.stderr()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("\"id\": \"h1\"");
    }

    @Test
    void tlsMaterialMayComeFromTheEnvironment() {
        CliRun run = hvctl(Map.of("HVCTL_SCHEDULER", endpoint,
                        "HVCTL_TLS_CA", dir.resolve("ca.crt").toString(),
                        "HVCTL_TLS_CERT", dir.resolve("operator.crt").toString(),
                        "HVCTL_TLS_KEY", dir.resolve("operator.key").toString()),
                "host", "list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("h1");
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .sslContext(GrpcSslContexts.forClient().trustManager(ca.certificatePath().toFile()).build())
                .build();
        try {
            assertThatThrownBy(() -> OperatorServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .listHosts(ListHostsRequest.getDefaultInstance()))
                    .isInstanceOf(StatusRuntimeException.class);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(service.calls.get()).isZero();
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() throws Exception {
        Path otherDir = Files.createDirectory(dir.resolve("other"));
        IssuedCertificate foreign = FabricCa.init(otherDir).issue("operator", Role.OPERATOR, List.of(), List.of());

        CliRun run = hvctl(Map.of(), "host", "list", "--scheduler", endpoint,
                "--tls-ca", ca.certificatePath().toString(),
                "--tls-cert", foreign.certificateFile().toString(),
                "--tls-key", foreign.keyFile().toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).startsWith("hvctl: cannot reach scheduler at " + endpoint + ": TLS handshake failed: ");
        assertThat(service.calls.get()).isZero();
    }

    @Test
    void serverFromAnotherCaIsNotTrusted() throws Exception {
        Path otherDir = Files.createDirectory(dir.resolve("other"));
        FabricCa other = FabricCa.init(otherDir);
        other.issue("operator", Role.OPERATOR, List.of(), List.of());

        CliRun run = hvctl(Map.of(), "host", "list", "--scheduler", endpoint, "--tls-dir", otherDir.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).startsWith("hvctl: cannot reach scheduler at " + endpoint + ": TLS handshake failed: ");
    }

    @Test
    void missingKeyFileIsAUsageError() throws Exception {
        Files.delete(dir.resolve("operator.key"));

        CliRun run = hvctl(Map.of(), "host", "list", "--scheduler", endpoint, "--tls-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly(
                "hvctl: --tls-dir: " + dir.resolve("operator.key") + " does not exist or is not readable");
    }

    @Test
    void aSchedulerThatNeverFinishesTheHandshakeExpiresTheDeadlineWhileConnecting() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, never a byte of TLS back
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            String quiet = "127.0.0.1:" + silent.getLocalPort();

            CliRun run = hvctl(Map.of(), "host", "list", "--scheduler", quiet, "--tls-dir", dir.toString(),
                    "--timeout", "700ms");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.stderrLines()).containsExactly(
                    "hvctl: deadline exceeded: no connection to scheduler at " + quiet + " within 700ms (--timeout)");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void theEventLoopIsStoppedWhenHvctlReturns() {
        // A loop left in epoll_wait would hold every hvctl's exit for 300 ms (the JVM waits for threads in native).
        CliRun run = hvctl(Map.of(), "host", "list", "--scheduler", endpoint, "--tls-dir", dir.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().startsWith(NettyChannelFactory.THREAD_NAME) && t.isAlive());
    }

    private static CliRun hvctl(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Hvctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, args);
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
