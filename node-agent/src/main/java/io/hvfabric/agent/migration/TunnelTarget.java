package io.hvfabric.agent.migration;

import io.hvfabric.common.tls.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Target end of the migration tunnel: a TLS listener on the host's migration address (port chosen by the kernel, so
 * no probe-then-bind race) that admits exactly one connection carrying the expected source host's migration
 * certificate and joins it to the incoming QEMU's unix socket. Connections with any other certificate are refused
 * and the listener keeps waiting, as QEMU's tls-authz does; the listener closes once the stream is joined.
 */
final class TunnelTarget implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelTarget.class);

    private final String label;
    private final TlsFiles files;
    private final ServerSocketChannel listener;
    private final X500Principal expected;
    private final Path qemuSocket;
    private volatile StreamPump pump;

    private TunnelTarget(String label, TlsFiles files, ServerSocketChannel listener, X500Principal expected,
                         Path qemuSocket) {
        this.label = label;
        this.files = files;
        this.listener = listener;
        this.expected = expected;
        this.qemuSocket = qemuSocket;
    }

    /**
     * Listens on {@code host} and accepts on a daemon thread until the source connects (or {@link #close}).
     *
     * @param qemuSocket the unix socket the incoming QEMU listens on ({@code -incoming unix:...})
     */
    static TunnelTarget listen(String label, TlsFiles files, String host, String sourceHostId, Path qemuSocket)
            throws IOException {
        TunnelTls.server(files); // a bad certificate fails here, not in the accept thread
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 4);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        TunnelTarget target = new TunnelTarget(label, files, listener, TunnelTls.migrationSubject(sourceHostId),
                qemuSocket);
        Thread t = new Thread(target::acceptUntilJoined, "hvf-tunnel-" + label + "-accept");
        t.setDaemon(true);
        t.start();
        return target;
    }

    int port() {
        return listener.socket().getLocalPort();
    }

    private void acceptUntilJoined() {
        while (listener.isOpen()) {
            SocketChannel socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // closed: the migration ended or was cancelled
            }
            String from = String.valueOf(socket.socket().getRemoteSocketAddress());
            try {
                if (admit(socket, from)) {
                    listener.close();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("migration tunnel {}: connection from {} refused: {}", label, from, e.toString());
                closeQuietly(socket);
            }
        }
    }

    /** Handshakes, checks the peer is the expected source, then joins it to QEMU. False for a refused peer. */
    private boolean admit(SocketChannel socket, String from) throws IOException {
        TunnelTls.tune(socket);
        TlsStream tls = TlsStream.server(TunnelTls.server(files), socket);
        TunnelTls.handshake(tls, socket);
        X500Principal peer = tls.peerSubject();
        if (!peer.equals(expected)) {
            LOG.warn("migration tunnel {}: refused {} from {}: only {} may send this stream", label, peer, from,
                    expected);
            closeQuietly(socket);
            return false;
        }
        SocketChannel qemu = connectQemu();
        pump = StreamPump.start(label, qemu, tls);
        LOG.info("migration tunnel {}: {} joined to {}", label, peer, qemuSocket);
        return true;
    }

    /**
     * QEMU made this socket as root, in the run directory that only root may write, before it dropped to the VSI's
     * id; so no QEMU can have put another file there. Checked anyway: a socket, not a link.
     */
    private SocketChannel connectQemu() throws IOException {
        PosixFileAttributes a = Files.readAttributes(qemuSocket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isOther()) {
            throw new IOException(qemuSocket + " is not the incoming QEMU's socket");
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(qemuSocket));
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closed already
        }
        StreamPump p = pump;
        if (p != null) {
            p.close();
        }
    }
}
