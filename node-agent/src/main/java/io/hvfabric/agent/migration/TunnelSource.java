package io.hvfabric.agent.migration;

import io.hvfabric.agent.driver.qemu.QemuIdentity;
import io.hvfabric.common.tls.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source end of the migration tunnel: connects to the target's tunnel and checks it (TLS 1.3, the target's migration
 * certificate for the IP dialled) before QEMU sends a byte, then offers QEMU a unix socket in its run directory —
 * which only root may write, so nothing can stand in for it — owned by the VSI's id and usable by nobody else, and
 * joins QEMU's connection to the TLS one. {@link #qemuUri} is what {@code migrate} is given.
 */
final class TunnelSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelSource.class);
    /** As the target's READY sends it: tunnel:IPv4:port or tunnel:[IPv6]:port. */
    static final Pattern URI = Pattern.compile("tunnel:(\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):([0-9]{1,5})");
    static final String SOCKET = "mo.sock";

    private final String label;
    private final ServerSocketChannel qemuListener;
    private final TlsStream peer;
    private final Path socket;
    private volatile StreamPump pump;

    private TunnelSource(String label, ServerSocketChannel qemuListener, TlsStream peer, Path socket) {
        this.label = label;
        this.qemuListener = qemuListener;
        this.peer = peer;
        this.socket = socket;
    }

    static boolean isTunnelUri(String uri) {
        return uri.startsWith("tunnel:");
    }

    /**
     * @param uri the target's READY uri (tunnel:host:port)
     * @param targetIp the IP the target's migration certificate must name
     */
    static TunnelSource open(String label, TlsFiles files, String uri, String targetIp, Path runDir)
            throws IOException {
        Matcher m = URI.matcher(uri);
        if (!m.matches()) {
            throw new IllegalArgumentException("uri must be tunnel:<ip>:<port> as sent by the target's READY, got '"
                    + uri + "'");
        }
        String host = m.group(1).replace("[", "").replace("]", "");
        int port = Integer.parseInt(m.group(2));
        SocketChannel tcp = SocketChannel.open();
        ServerSocketChannel listener = null;
        try {
            TunnelTls.tune(tcp);
            connect(tcp, new InetSocketAddress(InetAddress.getByName(host), port));
            // The engine is made for targetIp, so the certificate must name the target's IP (as QEMU's tls-hostname
            // checks), whatever address the uri gave.
            TlsStream peer = TlsStream.client(TunnelTls.client(files), tcp, targetIp, port);
            TunnelTls.handshake(peer, tcp);
            X500Principal subject = peer.peerSubject();
            if (!TunnelTls.isMigrationSubject(subject)) {
                throw new IOException("the target at " + uri + " presented " + subject + ", not a migration certificate");
            }
            Path socket = runDir.resolve(SOCKET);
            Files.deleteIfExists(socket); // a leftover of an earlier attempt; root's directory, so root's file
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socket));
            PosixFileAttributeView view = Files.getFileAttributeView(socket, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            QemuIdentity qemu = QemuIdentity.ofRunDir(runDir);
            view.setOwner(qemu.owner());
            // By path: the run directory is root's alone, so nothing can have replaced the socket meanwhile.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            TunnelSource source = new TunnelSource(label, listener, peer, socket);
            LOG.info("migration tunnel {}: connected to {} ({})", label, uri, subject);
            return source;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            if (listener != null) {
                listener.close();
            }
            throw e;
        }
    }

    /** A connect bounded in time: a blocking channel has no connect timeout of its own. */
    private static void connect(SocketChannel tcp, InetSocketAddress address) throws IOException {
        tcp.socket().connect(address, TunnelTls.HANDSHAKE_TIMEOUT_MS);
    }

    String qemuUri() {
        return "unix:" + socket;
    }

    /** After {@code migrate}: takes QEMU's connection on a daemon thread and starts the pump. */
    void joinWhenQemuConnects() {
        Thread t = new Thread(() -> {
            try {
                SocketChannel qemu = qemuListener.accept();
                qemuListener.close();
                Files.deleteIfExists(socket);
                pump = StreamPump.start(label, qemu, peer);
            } catch (IOException e) {
                LOG.info("migration tunnel {}: QEMU never connected: {}", label, e.toString());
                close();
            }
        }, "hvf-tunnel-" + label + "-join");
        t.setDaemon(true);
        t.start();
    }

    /**
     * QEMU reports "completed" once it has written the stream to its socket, not once the peer has it: the tail may
     * still be in the socket or the pump. Waits for it to go out before the tunnel may close; false if it did not
     * in time (the target then fails its side and the scheduler rolls back).
     */
    boolean awaitSent(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (pump == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        StreamPump p = pump;
        return p != null && p.awaitSent(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
    }

    @Override
    public void close() {
        try {
            qemuListener.close();
        } catch (IOException ignored) {
            // closed already
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the run directory went with the VSI
        }
        StreamPump p = pump;
        if (p != null) {
            p.close();
        }
        try {
            peer.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
