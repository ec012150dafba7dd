package io.hvfabric.agent.migration;

import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.hvfabric.common.tls.JsseTls;
import io.hvfabric.common.tls.TlsFiles;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.security.auth.x500.X500Principal;

/**
 * TLS for the agents' migration tunnel: the host's migration certificate (never the agent's gRPC pair) as identity,
 * the fabric CA as the only anchor, TLS 1.3, BoringSSL. Contexts are built once per certificate files and reused by
 * every migration, so no migration pays for loading keys. Peers are checked as strictly as QEMU's own TLS channel
 * checks them: the target admits only the expected source host's migration certificate (its exact subject), the
 * source only a migration certificate issued for the target's IP.
 */
final class TunnelTls {
    static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    private static final Map<TlsFiles, SslContext> SERVERS = new ConcurrentHashMap<>();
    private static final Map<TlsFiles, SslContext> CLIENTS = new ConcurrentHashMap<>();

    private TunnelTls() {
    }

    static SslContext server(TlsFiles files) {
        return SERVERS.computeIfAbsent(files, f -> build(f, SslContextBuilder.forServer(f.cert().toFile(), f.key().toFile())
                .clientAuth(ClientAuth.REQUIRE)));
    }

    static SslContext client(TlsFiles files) {
        return CLIENTS.computeIfAbsent(files, f -> build(f, SslContextBuilder.forClient()
                .keyManager(f.cert().toFile(), f.key().toFile())));
    }

    private static SslContext build(TlsFiles files, SslContextBuilder builder) {
        files.requireReadable();
        try {
            return builder.trustManager(files.ca().toFile()).sslProvider(SslProvider.OPENSSL)
                    .protocols(JsseTls.PROTOCOL).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the migration certificate " + files.cert() + " / key "
                    + files.key() + " / CA " + files.ca() + ": " + e.getMessage(), e);
        }
    }

    /** The subject of {@code hostId}'s migration certificate, as the fabric CA issues it (O, OU, CN). */
    static X500Principal migrationSubject(String hostId) {
        return new X500Principal("CN=" + hostId + ",OU=migration,O=hvfabric");
    }

    /** True if {@code subject} is some host's migration certificate (OU=migration of the fabric's O). */
    static boolean isMigrationSubject(X500Principal subject) {
        return subject.getName(X500Principal.RFC2253)
                .matches("CN=[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?,OU=migration,O=hvfabric");
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hvf-tunnel-handshake-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * Handshakes within {@link #HANDSHAKE_TIMEOUT_MS}: a blocking channel has no read timeout, so a peer that stalls
     * has its connection closed under it.
     */
    static void handshake(TlsStream stream, Closeable channel) throws IOException {
        ScheduledFuture<?> stall = WATCHDOG.schedule(() -> {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closed already
            }
        }, HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try {
            stream.handshake();
        } finally {
            stall.cancel(false);
        }
    }

    static void tune(NetworkChannel socket) throws IOException {
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true); // the last pages must not wait for an ACK
        socket.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        socket.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    }
}
