package io.hvfabric.agent.migration;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.security.auth.x500.X500Principal;

/**
 * One TLS connection over a blocking socket channel, driven through an {@link SSLEngine} of BoringSSL (the one gRPC's
 * Netty bundles): AES-GCM at the speed of the CPU's AES instructions from the first byte, where the JDK's own
 * provider needs its JIT warmed up (and runs at ~20 MB/s under C1). Writes pack as many 16 KiB records as fit into
 * one buffer and send it with one syscall. One thread may write while another reads; each direction's buffers are
 * its own, and the engine serialises the two.
 */
final class TlsStream implements AutoCloseable {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final int NET_OUT = 1 << 20;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer appIn;
    private final ByteBuffer netOut;
    private final ByteBuffer handshakeOut;

    private TlsStream(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(Math.max(packet, 64 * 1024) * 4);
        this.appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize() * 2);
        this.appIn.flip(); // empty, ready to be read from
        this.netOut = ByteBuffer.allocateDirect(Math.max(NET_OUT, packet * 2));
        this.handshakeOut = ByteBuffer.allocateDirect(packet * 2);
    }

    /** The client end; the server's certificate must name {@code peerHost} (an IP SAN for an IP). */
    static TlsStream client(SslContext context, SocketChannel channel, String peerHost, int port) {
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, peerHost, port);
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
        return new TlsStream(channel, engine);
    }

    static TlsStream server(SslContext context, SocketChannel channel) {
        return new TlsStream(channel, context.newEngine(ByteBufAllocator.DEFAULT));
    }

    /** Runs the handshake to its end; the caller bounds it with a socket timeout or by closing the channel. */
    void handshake() throws IOException {
        engine.beginHandshake();
        HandshakeStatus hs = engine.getHandshakeStatus();
        ByteBuffer scratch = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        while (hs != HandshakeStatus.FINISHED && hs != HandshakeStatus.NOT_HANDSHAKING) {
            switch (hs) {
                case NEED_WRAP -> {
                    handshakeOut.clear();
                    SSLEngineResult r = engine.wrap(EMPTY, handshakeOut);
                    handshakeOut.flip();
                    writeFully(handshakeOut);
                    hs = r.getHandshakeStatus();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the peer closed the connection during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult r = engine.unwrap(netIn, scratch);
                    netIn.compact();
                    hs = r.getHandshakeStatus();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        fill();
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the peer closed the connection during the handshake");
                    }
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    hs = engine.getHandshakeStatus();
                }
                default -> throw new SSLException("unexpected handshake status " + hs);
            }
        }
        if (scratch.position() > 0) {
            scratch.flip();
            appIn.compact();
            appIn.put(scratch);
            appIn.flip();
        }
    }

    X500Principal peerSubject() throws IOException {
        return ((X509Certificate) engine.getSession().getPeerCertificates()[0]).getSubjectX500Principal();
    }

    /** Encrypts and sends all of {@code plain}. */
    void write(ByteBuffer plain) throws IOException {
        while (plain.hasRemaining()) {
            netOut.clear();
            while (plain.hasRemaining() && netOut.remaining() >= engine.getSession().getPacketBufferSize()) {
                SSLEngineResult r = engine.wrap(plain, netOut);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SSLException("the TLS connection is closed");
                }
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    break; // buffer full: send what we have
                }
            }
            netOut.flip();
            writeFully(netOut);
        }
    }

    /** Decrypts into {@code dst}; the count read, or -1 at the peer's end of stream. */
    int read(ByteBuffer dst) throws IOException {
        while (!appIn.hasRemaining()) {
            appIn.clear();
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            netIn.compact();
            appIn.flip();
            if (appIn.hasRemaining()) {
                break; // data first, even if the peer's close_notify came in the same read
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                return -1;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                    || (r.getStatus() == SSLEngineResult.Status.OK && r.bytesProduced() == 0 && r.bytesConsumed() == 0)) {
                if (!fillOrEof()) {
                    return -1;
                }
            }
        }
        int n = Math.min(dst.remaining(), appIn.remaining());
        ByteBuffer slice = appIn.slice();
        slice.limit(n);
        dst.put(slice);
        appIn.position(appIn.position() + n);
        return n;
    }

    /**
     * Ends this direction with the TCP FIN alone, no close_notify: BoringSSL reads nothing more once it has sent its
     * own, and QEMU still needs the other direction (the target's answer, post-copy's page requests). A stream cut
     * short this way is no forgery: QEMU's stream ends with its own end marker, and a load that misses it fails.
     */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    private void fill() throws IOException {
        if (!fillOrEof()) {
            throw new EOFException("the peer closed the connection during the handshake");
        }
    }

    private boolean fillOrEof() throws IOException {
        return channel.read(netIn) >= 0;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
