package io.hvfabric.agent.qga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.agent.testkit.UnixSocketPeer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Plays a guest agent's side of the QGA protocol on the socket QEMU would serve: a test hands it one script per
 * connection (sync, replies, stale replies, errors, silence, a dropped socket), run on its own thread.
 */
public final class ScriptedQgaPeer implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FunctionalInterface
    public interface Script {
        void run(Session session) throws Exception;
    }

    /** One request as the agent read it, and whether a 0xFF came right before it. */
    public record Request(boolean afterDelimiter, JsonNode message) {
        public String command() {
            return message.path("execute").asText();
        }

        public JsonNode arguments() {
            return message.path("arguments");
        }
    }

    /** The accepted connection, seen from the guest agent's side. Only the script thread uses it. */
    public static final class Session {
        private final SocketChannel channel;
        private final InputStream in;

        Session(SocketChannel channel) {
            this.channel = channel;
            this.in = Channels.newInputStream(channel);
        }

        /** The next request, read as qemu-ga does: a 0xFF resets the parser. */
        public Request next() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean delimiter = false;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("client closed the socket while the agent expected a request");
                }
                if (b == 0xFF) {
                    delimiter = true;
                    line.reset();
                } else if (b == '\n') {
                    String s = line.toString(StandardCharsets.UTF_8);
                    if (!s.isBlank()) {
                        return new Request(delimiter, MAPPER.readTree(s));
                    }
                } else {
                    line.write(b);
                }
            }
        }

        /** Reads the next request and checks its name. */
        public Request expect(String command) throws IOException {
            Request r = next();
            if (!command.equals(r.command())) {
                throw new AssertionError("expected '" + command + "', got " + r.message());
            }
            return r;
        }

        /** Expects the client's resync (0xFF, then guest-sync-delimited) and returns its id. */
        public long expectSync() throws IOException {
            Request r = expect("guest-sync-delimited");
            if (!r.afterDelimiter()) {
                throw new AssertionError("guest-sync-delimited must follow a 0xFF byte");
            }
            return r.arguments().path("id").asLong();
        }

        public void syncReply(long id) throws IOException {
            sendBytes(new byte[] {(byte) 0xFF});
            sendRaw("{\"return\": " + id + "}");
        }

        /** Answers the client's resync as qemu-ga does. */
        public void sync() throws IOException {
            syncReply(expectSync());
        }

        public void reply(Request request, String returnJson) throws IOException {
            sendRaw("{\"return\": " + returnJson + idMember(request) + "}");
        }

        public void error(Request request, String errorClass, String desc) throws IOException {
            sendRaw("{\"error\": {\"class\": \"" + errorClass + "\", \"desc\": \"" + desc + "\"}" + idMember(request) + "}");
        }

        /** Expects {@code command} and answers it. */
        public Request answer(String command, String returnJson) throws IOException {
            Request r = expect(command);
            reply(r, returnJson);
            return r;
        }

        public void sendRaw(String line) throws IOException {
            sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        public void sendBytes(byte[] bytes) throws IOException {
            ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length));
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }

        /** Blocks until the client closes its end, ignoring what it sends. */
        public void awaitClientClose() throws IOException {
            while (in.read() >= 0) {
                // drain
            }
        }

        public void drop() throws IOException {
            channel.close();
        }

        private static String idMember(Request request) {
            JsonNode id = request.message().get("id");
            return id == null ? "" : ", \"id\": " + id;
        }
    }

    private final UnixSocketPeer peer;

    public ScriptedQgaPeer(Path dir) throws IOException {
        this.peer = new UnixSocketPeer(dir.resolve("qga.sock"));
    }

    public Path socket() {
        return peer.socket();
    }

    /** One script per connection the client opens, in order. */
    public ScriptedQgaPeer play(Script... scripts) {
        peer.play(Arrays.stream(scripts).<UnixSocketPeer.Script>map(s -> ch -> s.run(new Session(ch))).toList());
        return this;
    }

    /** Waits for the scripts to finish and rethrows what failed in them. */
    public void awaitScript() throws Exception {
        peer.awaitScript();
    }

    @Override
    public void close() throws IOException {
        peer.close();
    }
}
