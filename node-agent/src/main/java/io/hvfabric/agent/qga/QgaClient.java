package io.hvfabric.agent.qga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hvfabric.agent.qga.QgaTransport.Frame;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client for the QEMU guest agent on one guest's virtio-serial port, speaking qemu-ga's protocol
 * (qga/qapi-schema.json). QGA has no greeting and the port outlives connections, so a reply meant for an earlier
 * connection or a timed-out command may still be in the pipe: the client resyncs before its first command and after
 * any timeout with {@code guest-sync-delimited} (send 0xFF so the agent drops partial input, then discard everything
 * up to the 0xFF marker that precedes the reply carrying our random id). Commands also carry an {@code id}; a reply
 * with another id is a late one and is skipped.
 *
 * <p>One command at a time (the protocol is a single request/reply stream); calls from several threads queue, and
 * every call, queueing included, is bounded by its timeout. Connects lazily and reconnects after a drop.
 */
public final class QgaClient implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What the guest reports is untrusted and goes into every heartbeat: bounded here. */
    static final int MAX_INTERFACES = 32;
    static final int MAX_ADDRESSES = 16;
    static final int MAX_TEXT = 128;

    private final String name;
    private final Path socket;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong nextId = new AtomicLong();
    private volatile QgaTransport transport; // written under lock; read without it only by close()
    private boolean synced; // guarded by lock
    private volatile boolean closed;

    /**
     * @param name names this client in messages, e.g. the VSI name
     * @param socket the unix socket QEMU serves the guest agent port on
     */
    public QgaClient(String name, Path socket) {
        this.name = Objects.requireNonNull(name, "name");
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public Path socket() {
        return socket;
    }

    /** {@code guest-ping}: returns once the agent answered. */
    public void ping(Duration timeout) throws QgaException {
        execute("guest-ping", null, timeout);
    }

    public GuestInfo info(Duration timeout) throws QgaException {
        return new GuestInfo(text(execute("guest-info", null, timeout).path("version")));
    }

    /** At most {@value #MAX_INTERFACES} interfaces of at most {@value #MAX_ADDRESSES} addresses each. */
    public List<GuestNetworkInterface> networkInterfaces(Duration timeout) throws QgaException {
        JsonNode reply = execute("guest-network-get-interfaces", null, timeout);
        List<GuestNetworkInterface> out = new ArrayList<>();
        for (JsonNode iface : reply) {
            if (out.size() == MAX_INTERFACES) {
                break;
            }
            List<String> addresses = new ArrayList<>();
            for (JsonNode a : iface.path("ip-addresses")) {
                if (addresses.size() == MAX_ADDRESSES) {
                    break;
                }
                addresses.add(text(a.path("ip-address")) + "/" + a.path("prefix").asInt());
            }
            out.add(new GuestNetworkInterface(text(iface.path("name")), text(iface.path("hardware-address")), addresses));
        }
        return out;
    }

    /**
     * {@code guest-exec}: starts {@code argv[0]} with the rest as arguments.
     *
     * @param stdin written to the process's stdin, then closed; empty for none
     * @return the guest pid, for {@link #execStatus}
     * @throws QgaErrorException the agent could not start it (no such program, too many processes)
     */
    public long exec(List<String> argv, byte[] stdin, boolean captureOutput, Duration timeout) throws QgaException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must name the program");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("path", argv.get(0));
        args.put("arg", argv.subList(1, argv.size()));
        if (stdin.length > 0) {
            args.put("input-data", Base64.getEncoder().encodeToString(stdin));
        }
        args.put("capture-output", captureOutput);
        JsonNode pid = execute("guest-exec", args, timeout).path("pid");
        if (!pid.canConvertToLong()) {
            throw new QgaException("guest agent of " + name + " answered guest-exec without a pid");
        }
        return pid.asLong();
    }

    /** {@code guest-exec-status}. An agent hands out an exited status once: the pid is gone afterwards. */
    public GuestExecStatus execStatus(long pid, Duration timeout) throws QgaException {
        JsonNode r = execute("guest-exec-status", Map.of("pid", pid), timeout);
        if (!r.path("exited").asBoolean(false)) {
            return GuestExecStatus.RUNNING;
        }
        try {
            return new GuestExecStatus(true,
                    r.has("exitcode") ? OptionalInt.of(r.get("exitcode").asInt()) : OptionalInt.empty(),
                    r.path("signal").asInt(0), base64(r.path("out-data")), base64(r.path("err-data")),
                    r.path("out-truncated").asBoolean(false), r.path("err-truncated").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new QgaException("guest agent of " + name + " sent output that is not base64: " + e.getMessage(), e);
        }
    }

    /**
     * Executes one command, connecting and resyncing first if needed, and returns its {@code return} value.
     *
     * @throws QgaConnectException the socket cannot be opened
     * @throws QgaSyncException no answer to the resync in time (no agent running, guest not executing)
     * @throws QgaTimeoutException no reply to the command in time, or another call held the client that long
     * @throws QgaErrorException the agent answered with an error
     * @throws QgaDisconnectedException the connection dropped or broke the protocol, or the client is closed
     */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws QgaException {
        long deadline = System.nanoTime() + timeout.toNanos();
        acquire(command, deadline, timeout);
        try {
            QgaTransport t = syncedTransport(deadline, timeout);
            String id = "hvf-" + nextId.incrementAndGet();
            ObjectNode message = MAPPER.createObjectNode().put("execute", command);
            if (arguments != null && !arguments.isEmpty()) {
                message.set("arguments", MAPPER.valueToTree(arguments));
            }
            message.put("id", id);
            try {
                t.send(message, deadline);
                return awaitReply(t, command, id, deadline);
            } catch (QgaException e) {
                throw e;
            } catch (SocketTimeoutException e) {
                synced = false; // the late reply is still coming: skip it by resyncing
                throw new QgaTimeoutException("guest agent of " + name + " did not answer '" + command + "' within "
                        + timeout.toMillis() + " ms");
            } catch (IOException e) {
                throw lost("'" + command + "'", e);
            }
        } finally {
            lock.unlock();
        }
    }

    private static JsonNode awaitReply(QgaTransport t, String command, String id, long deadline) throws IOException {
        boolean afterDelimiter = false;
        while (true) {
            Frame frame = t.receive(deadline);
            if (frame.delimiter()) {
                afterDelimiter = true;
                continue;
            }
            JsonNode m = frame.message();
            JsonNode replyId = m.get("id");
            boolean stale = afterDelimiter || (replyId != null && !id.equals(replyId.asText()));
            afterDelimiter = false;
            if (stale) {
                continue; // a late sync reply, or the reply to a command that timed out
            }
            if (m.has("error")) {
                JsonNode error = m.get("error");
                throw new QgaErrorException(command, error.path("class").asText("unknown"), error.path("desc").asText(""));
            }
            if (m.has("return")) {
                return m.get("return");
            }
        }
    }

    private QgaTransport syncedTransport(long deadline, Duration timeout) throws QgaException {
        if (closed) {
            throw new QgaDisconnectedException("guest agent client of " + name + " is closed");
        }
        if (transport == null) {
            try {
                transport = QgaTransport.connect(socket, MAPPER);
            } catch (IOException e) {
                throw new QgaConnectException("cannot connect to the guest agent socket " + socket + ": " + e.getMessage(), e);
            }
            synced = false;
        }
        if (!synced) {
            resync(transport, deadline, timeout);
        }
        return transport;
    }

    private void resync(QgaTransport t, long deadline, Duration timeout) throws QgaException {
        long syncId = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
        ObjectNode message = MAPPER.createObjectNode().put("execute", "guest-sync-delimited");
        message.putObject("arguments").put("id", syncId);
        try {
            t.sendDelimiter(deadline);
            t.send(message, deadline);
            boolean afterDelimiter = false;
            while (true) {
                Frame frame = t.receive(deadline);
                if (frame.delimiter()) {
                    afterDelimiter = true;
                    continue;
                }
                JsonNode value = frame.message().path("return");
                if (afterDelimiter && value.canConvertToLong() && value.asLong() == syncId) {
                    synced = true;
                    return;
                }
                afterDelimiter = false; // a stale reply, or the answer to an earlier sync
            }
        } catch (SocketTimeoutException e) {
            throw new QgaSyncException("guest agent of " + name + " did not answer guest-sync-delimited within "
                    + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw lost("guest-sync-delimited", e);
        }
    }

    private void acquire(String command, long deadline, Duration timeout) throws QgaException {
        try {
            if (!lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new QgaTimeoutException("guest agent client of " + name + " stayed busy with another command; '"
                        + command + "' not sent within " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QgaDisconnectedException("interrupted while waiting to send '" + command + "'", e);
        }
    }

    /** Under lock: the connection is unusable; the next call connects afresh. */
    private QgaDisconnectedException lost(String what, IOException cause) {
        drop();
        if (cause instanceof InterruptedIOException) {
            Thread.currentThread().interrupt();
            return new QgaDisconnectedException("interrupted during " + what + " with the guest agent of " + name, cause);
        }
        return new QgaDisconnectedException("guest agent connection of " + name + " lost during " + what + ": "
                + cause.getMessage(), cause);
    }

    private void drop() {
        QgaTransport t = transport;
        transport = null;
        synced = false;
        if (t != null) {
            try {
                t.close();
            } catch (IOException e) {
                // closing a broken socket: nothing left to do
            }
        }
    }

    /** Disconnects; a call in progress fails with {@link QgaDisconnectedException}, later calls too. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (lock.tryLock()) {
            try {
                drop();
            } finally {
                lock.unlock();
            }
            return;
        }
        QgaTransport t = transport;
        if (t != null) {
            t.abort(); // the caller holding the lock sees the socket closed and drops the rest
        }
    }

    /** Printable text of at most {@value #MAX_TEXT} characters. */
    private static String text(JsonNode node) {
        String s = node.asText("");
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_TEXT));
        for (int i = 0; i < s.length() && out.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }

    private static byte[] base64(JsonNode node) {
        return node.isTextual() ? Base64.getMimeDecoder().decode(node.asText()) : new byte[0];
    }

    @Override
    public String toString() {
        return "QgaClient[" + name + ", " + socket + "]";
    }
}
