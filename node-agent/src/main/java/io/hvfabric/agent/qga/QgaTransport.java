package io.hvfabric.agent.qga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Moves guest agent frames over the unix socket of a guest's virtio-serial port: JSON objects one per line, and the
 * 0xFF delimiter that {@code guest-sync-delimited} puts before its reply. Knows nothing about commands or ids. Every
 * read and write is bounded by a deadline (the channel is non-blocking behind a selector): a stopped guest must never
 * hang the caller. Not thread-safe; {@link QgaClient} serializes its use.
 *
 * <p>The guest is untrusted: a line longer than {@link #MAX_MESSAGE_BYTES} is a protocol failure, not a memory bill.
 */
final class QgaTransport implements AutoCloseable {
    static final byte DELIMITER = (byte) 0xFF;
    /** 1 MiB of stdout and 1 MiB of stderr in base64 plus JSON fit with room to spare. */
    static final int MAX_MESSAGE_BYTES = 4 << 20;

    /** One unit read from the guest: the delimiter, or a JSON message. */
    record Frame(boolean delimiter, JsonNode message) {
        static final Frame DELIMITER_FRAME = new Frame(true, null);
    }

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ObjectMapper mapper;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private QgaTransport(SocketChannel channel, Selector selector, ObjectMapper mapper) throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.mapper = mapper;
        channel.configureBlocking(false);
        this.key = channel.register(selector, 0);
        readBuffer.flip(); // start empty, in read mode
    }

    /** A unix-socket connect either succeeds or fails at once; only reads and writes need deadlines. */
    static QgaTransport connect(Path socket, ObjectMapper mapper) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = null;
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            selector = Selector.open();
            return new QgaTransport(channel, selector, mapper);
        } catch (IOException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    void sendDelimiter(long deadlineNanos) throws IOException {
        write(ByteBuffer.wrap(new byte[] {DELIMITER}), deadlineNanos);
    }

    void send(JsonNode message, long deadlineNanos) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(message);
        write(ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip(), deadlineNanos);
    }

    private void write(ByteBuffer out, long deadlineNanos) throws IOException {
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                await(SelectionKey.OP_WRITE, deadlineNanos);
            }
        }
    }

    /**
     * The next frame. A line that is not JSON (the tail of a reply cut by an earlier disconnect, noise) is skipped.
     *
     * @throws SocketTimeoutException nothing complete arrived before the deadline
     * @throws EOFException the peer closed the socket
     */
    Frame receive(long deadlineNanos) throws IOException {
        while (true) {
            while (readBuffer.hasRemaining()) {
                byte b = readBuffer.get();
                if (b == DELIMITER) {
                    line.reset(); // whatever came before the delimiter is stale
                    return Frame.DELIMITER_FRAME;
                }
                if (b == '\n') {
                    JsonNode message = parse(line.toByteArray());
                    line.reset();
                    if (message != null) {
                        return new Frame(false, message);
                    }
                    continue;
                }
                if (line.size() >= MAX_MESSAGE_BYTES) {
                    throw new IOException("guest agent sent a message over " + MAX_MESSAGE_BYTES + " bytes");
                }
                line.write(b);
            }
            readBuffer.clear();
            int n = channel.read(readBuffer);
            readBuffer.flip();
            if (n < 0) {
                throw new EOFException("guest agent socket closed by QEMU");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadlineNanos);
            }
        }
    }

    private JsonNode parse(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                try {
                    JsonNode node = mapper.readTree(bytes);
                    return node != null && node.isObject() ? node : null;
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private void await(int op, long deadlineNanos) throws IOException {
        long remainingMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMs <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        try {
            key.interestOps(op);
            selector.select(remainingMs);
            selector.selectedKeys().clear();
        } catch (CancelledKeyException | ClosedSelectorException e) {
            throw new ClosedChannelException(); // aborted from another thread
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** From any thread: closes the socket under a read or write in progress, which then fails. */
    void abort() {
        try {
            channel.close();
        } catch (IOException e) {
            // already broken
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
