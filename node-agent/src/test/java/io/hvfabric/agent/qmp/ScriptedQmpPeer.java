package io.hvfabric.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.agent.testkit.UnixSocketPeer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Plays QEMU's side of QMP on a unix socket: a test hands it a script (greeting, replies in any
 * order, events, errors, a dropped socket) that runs on its own thread against one accepted client.
 */
final class ScriptedQmpPeer implements AutoCloseable {
    static final String GREETING =
            "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":2,\"major\":7},\"package\":\"test\"},\"capabilities\":[\"oob\"]}}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    interface Script {
        void run(Session session) throws Exception;
    }

    /** The accepted connection, seen from QEMU's side. Only the script thread uses it. */
    static final class Session {
        private final SocketChannel channel;
        private final BufferedReader in;

        Session(SocketChannel channel) {
            this.channel = channel;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        }

        void sendRaw(String line) throws IOException {
            ByteBuffer out = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }

        void greet() throws IOException {
            sendRaw(GREETING);
        }

        /** Reads the next command and checks its name; returns it (with its id). */
        JsonNode expect(String command) throws IOException {
            String line = in.readLine();
            if (line == null) {
                throw new AssertionError("client closed the socket while the peer expected '" + command + "'");
            }
            JsonNode message = MAPPER.readTree(line);
            if (!command.equals(message.path("execute").asText())) {
                throw new AssertionError("expected command '" + command + "', got " + line);
            }
            return message;
        }

        void reply(JsonNode command, String returnJson) throws IOException {
            sendRaw("{\"return\":" + returnJson + ",\"id\":" + command.get("id") + "}");
        }

        void error(JsonNode command, String errorClass, String desc) throws IOException {
            sendRaw("{\"error\":{\"class\":\"" + errorClass + "\",\"desc\":\"" + desc + "\"},\"id\":" + command.get("id") + "}");
        }

        void event(String name, String dataJson) throws IOException {
            sendRaw("{\"event\":\"" + name + "\",\"data\":" + dataJson
                    + ",\"timestamp\":{\"seconds\":1700000000,\"microseconds\":250000}}");
        }

        /** Greets and accepts capability negotiation, as QEMU does. */
        void handshake() throws IOException {
            greet();
            reply(expect("qmp_capabilities"), "{}");
        }

        /** Blocks until the client closes its end. */
        void awaitClientClose() throws IOException {
            while (in.readLine() != null) {
                // drain
            }
        }

        void drop() throws IOException {
            channel.close();
        }
    }

    private final UnixSocketPeer peer;

    ScriptedQmpPeer(Path dir) throws IOException {
        this.peer = new UnixSocketPeer(dir.resolve("qmp.sock"));
    }

    Path socket() {
        return peer.socket();
    }

    ScriptedQmpPeer play(Script script) {
        peer.play(List.of(ch -> script.run(new Session(ch))));
        return this;
    }

    /** Waits for the script to finish and rethrows what failed in it. */
    void awaitScript() throws Exception {
        peer.awaitScript();
    }

    @Override
    public void close() throws IOException {
        peer.close();
    }
}
