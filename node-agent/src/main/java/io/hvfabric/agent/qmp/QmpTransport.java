package io.hvfabric.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Moves QMP messages (one JSON object per line) over a unix-domain socket. Knows nothing about
 * commands, ids or events. One thread may {@link #receive} while others {@link #send}: the channel's
 * read and write sides lock independently (the java.io stream adapters would serialize them).
 */
final class QmpTransport implements AutoCloseable {
    private final SocketChannel channel;
    private final ObjectMapper mapper;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Object writeLock = new Object();

    private QmpTransport(SocketChannel channel, ObjectMapper mapper) {
        this.channel = channel;
        this.mapper = mapper;
        readBuffer.flip(); // start empty, in read mode
    }

    static QmpTransport connect(Path socket, ObjectMapper mapper) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new QmpTransport(channel, mapper);
    }

    void send(JsonNode message) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(message);
        ByteBuffer out = ByteBuffer.allocate(bytes.length + 1).put(bytes).put((byte) '\n').flip();
        synchronized (writeLock) {
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }
    }

    /** Blocks for the next message; {@link EOFException} when the peer closed the socket. */
    JsonNode receive() throws IOException {
        while (true) {
            while (readBuffer.hasRemaining()) {
                byte b = readBuffer.get();
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    line.reset();
                    if (isBlank(bytes)) {
                        continue;
                    }
                    return mapper.readTree(bytes);
                }
                line.write(b);
            }
            readBuffer.clear();
            int n = channel.read(readBuffer);
            readBuffer.flip();
            if (n < 0) {
                throw new EOFException("QMP peer closed the socket");
            }
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
