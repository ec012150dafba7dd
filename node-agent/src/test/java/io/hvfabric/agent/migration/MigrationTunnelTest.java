package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.tls.TlsFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agents' migration tunnel over real sockets (TLS on loopback, unix sockets standing in for the two QEMUs): the
 * stream arrives byte for byte both ways, the target admits only the expected source's migration certificate and
 * keeps waiting after a refusal, and a source refuses a target whose certificate does not name the IP it dials.
 */
class MigrationTunnelTest {
    @TempDir
    static Path tmp;
    private static TlsFiles host1;
    private static TlsFiles host2;
    private static TlsFiles host3;
    private static TlsFiles agent1;

    @BeforeAll
    static void certificates() throws Exception {
        Path tls = Files.createDirectories(tmp.resolve("tls"));
        FabricCa ca = FabricCa.init(tls);
        for (String host : List.of("host-1", "host-2", "host-3")) {
            ca.issue(host, Role.AGENT, List.of("127.0.0.1"), List.of());
            ca.issue(host, Role.MIGRATION, List.of("127.0.0.1"), List.of());
        }
        agent1 = TlsFiles.inDir(tls, "host-1");
        host1 = MigrationTls.besideAgent(agent1, "host-1");
        host2 = MigrationTls.besideAgent(TlsFiles.inDir(tls, "host-2"), "host-2");
        host3 = MigrationTls.besideAgent(TlsFiles.inDir(tls, "host-3"), "host-3");
    }

    /** The incoming QEMU: takes one connection, keeps what arrives, answers with a short return-path message. */
    private static CompletableFuture<byte[]> incomingQemu(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                Channels.newInputStream(c).transferTo(got);
                c.write(ByteBuffer.wrap("loaded".getBytes()));
                return got.toByteArray();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** The source QEMU: connects to the tunnel's socket, sends the stream, reads the return path to its end. */
    private static String sourceQemu(Path socket, byte[] stream) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            // in pieces the size of QEMU's page writes
            for (int off = 0; off < stream.length; off += 4104) {
                c.write(ByteBuffer.wrap(stream, off, Math.min(4104, stream.length - off)));
            }
            c.shutdownOutput();
            return new String(Channels.newInputStream(c).readAllBytes());
        }
    }

    private static Path dir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name));
    }

    @Test
    void theStreamArrivesWholeAndTheReturnPathComesBack() throws Exception {
        Path in = dir("whole-in").resolve(MigrationTarget.INCOMING_SOCKET);
        CompletableFuture<byte[]> arrived = incomingQemu(in);
        byte[] stream = new byte[24 << 20];
        new Random(7).nextBytes(stream);
        try (TunnelTarget target = TunnelTarget.listen("m-whole", host2, "127.0.0.1", "host-1", in);
             TunnelSource source = TunnelSource.open("m-whole", host1, "tunnel:127.0.0.1:" + target.port(),
                     "127.0.0.1", dir("whole-out"))) {
            source.joinWhenQemuConnects();
            String reply = sourceQemu(Path.of(source.qemuUri().substring("unix:".length())), stream);
            assertThat(source.awaitSent(10_000)).isTrue();
            assertThat(arrived.get(30, TimeUnit.SECONDS)).isEqualTo(stream);
            assertThat(reply).isEqualTo("loaded");
        }
    }

    @Test
    void theTargetAdmitsOnlyTheExpectedSourceAndKeepsWaitingAfterARefusal() throws Exception {
        Path in = dir("authz-in").resolve(MigrationTarget.INCOMING_SOCKET);
        CompletableFuture<byte[]> arrived = incomingQemu(in);
        try (TunnelTarget target = TunnelTarget.listen("m-authz", host2, "127.0.0.1", "host-1", in)) {
            String uri = "tunnel:127.0.0.1:" + target.port();
            // Another host's migration certificate, and host-1's own agent (gRPC) certificate.
            for (TlsFiles intruder : List.of(host3, agent1)) {
                try (TunnelSource rogue = TunnelSource.open("rogue", intruder, uri, "127.0.0.1", dir("rogue-" + intruder.cert().getFileName()))) {
                    rogue.joinWhenQemuConnects();
                    // The target hangs up on it: no return path, nothing loaded.
                    assertThat(sourceQemu(Path.of(rogue.qemuUri().substring(5)), "evil".getBytes())).isEmpty();
                } catch (IOException refusedInHandshake) {
                    // also fine: refused before any byte
                }
                assertThat(arrived).as("nothing reached QEMU from %s", intruder.cert()).isNotDone();
            }
            try (TunnelSource source = TunnelSource.open("m-authz", host1, uri, "127.0.0.1", dir("authz-out"))) {
                source.joinWhenQemuConnects();
                sourceQemu(Path.of(source.qemuUri().substring(5)), "the real guest".getBytes());
                assertThat(new String(arrived.get(30, TimeUnit.SECONDS))).isEqualTo("the real guest");
            }
        }
    }

    @Test
    void aSourceRefusesATargetWhoseCertificateDoesNotNameTheIpItDials() throws Exception {
        Path in = dir("ip-in").resolve(MigrationTarget.INCOMING_SOCKET);
        incomingQemu(in);
        try (TunnelTarget target = TunnelTarget.listen("m-ip", host2, "127.0.0.1", "host-1", in)) {
            assertThatThrownBy(() -> TunnelSource.open("m-ip", host1, "tunnel:127.0.0.1:" + target.port(),
                    "10.9.9.9", dir("ip-out")))
                    .isInstanceOf(IOException.class);
            assertThat(dir("ip-out").resolve(TunnelSource.SOCKET)).doesNotExist();
        }
    }

    @Test
    void aMalformedUriIsRefusedNamingTheField() {
        assertThatThrownBy(() -> TunnelSource.open("m", host1, "tunnel:evil.example:1", "127.0.0.1", tmp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("uri must be tunnel:<ip>:<port>");
    }
}
