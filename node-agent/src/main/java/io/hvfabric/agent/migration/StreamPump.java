package io.hvfabric.agent.migration;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a migration stream between QEMU's plain unix socket and the TLS connection to the peer agent, both ways
 * (the return path carries post-copy page requests). Reads take whatever QEMU has buffered, up to {@link #BUFFER}
 * bytes, so the TLS side sends full 16 KiB records many at a time: QEMU's own TLS channel makes one record and one
 * syscall per 4 KiB page, which is what held its stream to a fraction of the cipher's speed. Either side's end or
 * error ends both; {@link #close} ends them at once.
 */
final class StreamPump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamPump.class);
    static final int BUFFER = 512 * 1024;

    private final String label;
    private final SocketChannel qemu;
    private final TlsStream peer;
    private final CountDownLatch done = new CountDownLatch(2);
    private final CountDownLatch sent = new CountDownLatch(1);

    private StreamPump(String label, SocketChannel qemu, TlsStream peer) {
        this.label = label;
        this.qemu = qemu;
        this.peer = peer;
    }

    /** Starts both directions on their own daemon threads. */
    static StreamPump start(String label, SocketChannel qemu, TlsStream peer) {
        StreamPump pump = new StreamPump(label, qemu, peer);
        thread(label + "-out", pump::qemuToPeer);
        thread(label + "-in", pump::peerToQemu);
        return pump;
    }

    private static void thread(String name, Runnable body) {
        Thread t = new Thread(body, "hvf-tunnel-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void qemuToPeer() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (qemu.read(buffer) >= 0) {
                buffer.flip();
                peer.write(buffer);
                buffer.clear();
            }
            peer.shutdownOutput(); // the peer sees the end of QEMU's stream and may still answer
        } catch (IOException e) {
            ended("to the peer", e);
        } finally {
            sent.countDown();
            finished();
        }
    }

    private void peerToQemu() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (peer.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    qemu.write(buffer);
                }
                buffer.clear();
            }
            qemu.shutdownOutput();
        } catch (IOException e) {
            ended("from the peer", e);
        } finally {
            finished();
        }
    }

    private void finished() {
        done.countDown();
        if (done.getCount() == 0) {
            close();
        }
    }

    /** One direction failed (a cancelled or killed peer, a closed QEMU): the other cannot go on either. */
    private void ended(String direction, IOException e) {
        if (done.getCount() == 2) {
            LOG.info("migration tunnel {}: stream {} ended: {}", label, direction, e.toString());
        }
        close();
    }

    /** Waits until everything QEMU wrote went to the peer (QEMU closed its end); true if it did in time. */
    boolean awaitSent(long timeoutMs) throws InterruptedException {
        return sent.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            peer.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            qemu.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
