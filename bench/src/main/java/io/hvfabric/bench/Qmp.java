package io.hvfabric.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A minimal QMP client on a unix socket: capabilities negotiated on connect, one command at a time, events skipped. */
final class Qmp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private Qmp(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects once the socket exists (QEMU creates it a moment after start), then negotiates capabilities. */
    static Qmp connect(Path socket, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (Files.exists(socket)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    Qmp qmp = new Qmp(ch);
                    qmp.in.readLine(); // greeting
                    qmp.execute("qmp_capabilities", null);
                    return qmp;
                } catch (IOException e) {
                    ch.close();
                    last = e;
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("QMP socket " + socket + " not ready in " + timeoutMs + " ms", last);
    }

    /** Runs a command and returns its "return" value; a QMP error becomes an IOException with QEMU's description. */
    JsonNode execute(String command, ObjectNode arguments) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        out.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("QMP closed while waiting for the answer to " + command);
            }
            JsonNode reply = JSON.readTree(line);
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new IOException(command + ": " + reply.get("error").path("desc").asText());
            }
            // an asynchronous event: not ours
        }
    }

    static ObjectNode args() {
        return JSON.createObjectNode();
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
