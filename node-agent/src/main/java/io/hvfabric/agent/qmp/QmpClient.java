package io.hvfabric.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QMP client shaped like QEMU's python one: explicit {@link QmpRunState}, greeting then {@code
 * qmp_capabilities} negotiation, commands tagged with an {@code id} and replies matched by it (so
 * replies may arrive in any order), events dispatched to listeners on their own thread, and one
 * exception type per failing phase. Thread-safe; commands may be issued from any thread.
 */
public final class QmpClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration READER_JOIN = Duration.ofSeconds(2);

    private final String name;
    private final Duration commandTimeout;
    private final AtomicLong nextId = new AtomicLong();
    private final CopyOnWriteArrayList<QmpEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Object stateLock = new Object();
    private QmpRunState state = QmpRunState.IDLE;
    private Connection connection;
    private JsonNode greeting = NullNode.getInstance();

    /**
     * @param name names this client's threads and log lines, e.g. the VSI name
     * @param commandTimeout how long {@link #execute(String, Map)} waits for a reply
     */
    public QmpClient(String name, Duration commandTimeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
    }

    public QmpClient(String name) {
        this(name, Duration.ofSeconds(30));
    }

    public QmpRunState state() {
        synchronized (stateLock) {
            return state;
        }
    }

    /** The {@code QMP} member of the greeting (version, capabilities) of the current connection. */
    public JsonNode greeting() {
        synchronized (stateLock) {
            return greeting;
        }
    }

    /**
     * Connects to QEMU's QMP socket, reads the greeting and negotiates capabilities; RUNNING on
     * return. Allowed only when IDLE.
     *
     * @throws QmpDisconnectedException the socket cannot be opened
     * @throws QmpGreetingException no greeting within {@code timeout}, or not a QMP greeting
     * @throws QmpNegotiationException {@code qmp_capabilities} failed or was not answered in time
     */
    public void connect(Path socket, Duration timeout) throws QmpException {
        Connection conn;
        synchronized (stateLock) {
            if (state != QmpRunState.IDLE) {
                throw new IllegalStateException("QMP client " + name + " cannot connect: state is " + state + ", must be IDLE");
            }
            state = QmpRunState.CONNECTING;
            try {
                conn = new Connection(QmpTransport.connect(socket, MAPPER));
            } catch (IOException e) {
                state = QmpRunState.IDLE;
                throw new QmpDisconnectedException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
            }
            connection = conn;
        }
        conn.start();
        try {
            JsonNode hello = awaitPhase(conn.greeting, timeout, "greeting");
            if (!hello.path("QMP").isObject()) {
                throw new QmpGreetingException("expected a QMP greeting from " + socket + ", got: " + hello);
            }
            synchronized (stateLock) {
                greeting = hello.get("QMP");
            }
        } catch (QmpGreetingException e) {
            conn.teardown(e);
            throw e;
        } catch (QmpException e) {
            conn.teardown(e);
            throw new QmpGreetingException("no QMP greeting from " + socket + ": " + e.getMessage(), e);
        }
        try {
            awaitPhase(conn.send("qmp_capabilities", null).future, timeout, "qmp_capabilities");
        } catch (QmpException e) {
            conn.teardown(e);
            throw new QmpNegotiationException("QMP capability negotiation with " + socket + " failed: " + e.getMessage(), e);
        }
        synchronized (stateLock) {
            if (connection == conn && state == QmpRunState.CONNECTING) {
                state = QmpRunState.RUNNING;
                return;
            }
        }
        throw new QmpDisconnectedException("QMP connection to " + socket + " closed during negotiation");
    }

    private static JsonNode awaitPhase(CompletableFuture<JsonNode> future, Duration timeout, String phase) throws QmpException {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QmpTimeoutException("no " + phase + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw asQmpException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpDisconnectedException("interrupted while waiting for " + phase, e);
        }
    }

    /** Executes a command and waits up to the client's command timeout for its {@code return} value. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws QmpException {
        return execute(command, arguments, commandTimeout);
    }

    public JsonNode execute(String command) throws QmpException {
        return execute(command, null, commandTimeout);
    }

    /**
     * @throws QmpExecuteException QEMU answered with an error (its class and description are kept)
     * @throws QmpTimeoutException no reply within {@code timeout}; a late reply is dropped
     * @throws QmpDisconnectedException not RUNNING, or the connection dropped before the reply
     */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws QmpException {
        Pending pending = runningConnection(command).send(command, arguments);
        try {
            return pending.future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.connection.pending.remove(pending.id);
            throw new QmpTimeoutException("QMP command '" + command + "' got no reply within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw asQmpException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.connection.pending.remove(pending.id);
            throw new QmpDisconnectedException("interrupted while waiting for '" + command + "'", e);
        }
    }

    /** Sends a command without waiting; the future fails with the same exceptions as {@link #execute}. */
    public CompletableFuture<JsonNode> executeAsync(String command, Map<String, ?> arguments) throws QmpException {
        return runningConnection(command).send(command, arguments).future;
    }

    public QmpStatus queryStatus() throws QmpException {
        JsonNode r = execute("query-status");
        return new QmpStatus(r.path("status").asText("unknown"), r.path("running").asBoolean(false));
    }

    /** Asks the guest to power off via ACPI; the guest may ignore it. */
    public void systemPowerdown() throws QmpException {
        execute("system_powerdown");
    }

    /** Resumes a paused guest (started with {@code -S} or stopped). */
    public void cont() throws QmpException {
        execute("cont");
    }

    /**
     * Makes QEMU exit. QEMU answers and then closes the socket, so a connection lost after sending
     * counts as success. The client is IDLE afterwards.
     */
    public void quit() throws QmpException {
        try {
            execute("quit");
        } catch (QmpDisconnectedException e) {
            log.debug("QMP {}: connection closed while quitting", name);
        } finally {
            close();
        }
    }

    public void addEventListener(QmpEventListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeEventListener(QmpEventListener listener) {
        listeners.remove(listener);
    }

    /** Completes with the next event named {@code eventName}; register before triggering it. */
    public CompletableFuture<QmpEvent> nextEvent(String eventName) {
        CompletableFuture<QmpEvent> result = new CompletableFuture<>();
        QmpEventListener once = new QmpEventListener() {
            @Override
            public void onEvent(QmpEvent event) {
                if (event.name().equals(eventName) && result.complete(event)) {
                    removeEventListener(this);
                }
            }
        };
        addEventListener(once);
        return result;
    }

    /** Disconnects; pending commands fail with {@link QmpDisconnectedException}. Idempotent. */
    @Override
    public void close() {
        Connection conn;
        synchronized (stateLock) {
            conn = connection;
        }
        if (conn != null) {
            conn.teardown(new QmpDisconnectedException("QMP client " + name + " closed"));
        }
    }

    private Connection runningConnection(String command) throws QmpDisconnectedException {
        synchronized (stateLock) {
            if (state != QmpRunState.RUNNING) {
                throw new QmpDisconnectedException("cannot execute '" + command + "': QMP client " + name + " is " + state);
            }
            return connection;
        }
    }

    private static QmpException asQmpException(Throwable cause) {
        if (cause instanceof QmpException q) {
            return q;
        }
        return new QmpException("QMP failure: " + cause, cause);
    }

    private record Pending(Connection connection, String id, String command, CompletableFuture<JsonNode> future) {}

    /** State of one socket connection: its reader thread, pending commands and event thread. */
    private final class Connection {
        final QmpTransport transport;
        final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
        final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
        final ExecutorService events;
        final Thread reader;
        private volatile boolean tornDown;
        private final CountDownLatch finished = new CountDownLatch(1);

        Connection(QmpTransport transport) {
            this.transport = transport;
            this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "qmp-events-" + name));
            this.reader = daemon(this::readLoop, "qmp-reader-" + name);
        }

        void start() {
            reader.start();
        }

        Pending send(String command, Map<String, ?> arguments) throws QmpDisconnectedException {
            String id = "hvf-" + nextId.incrementAndGet();
            ObjectNode message = MAPPER.createObjectNode().put("execute", command);
            if (arguments != null && !arguments.isEmpty()) {
                message.set("arguments", MAPPER.valueToTree(arguments));
            }
            message.put("id", id);
            Pending p = new Pending(this, id, command, new CompletableFuture<>());
            pending.put(id, p);
            if (tornDown) { // teardown may have swept the map before our put
                pending.remove(id);
                throw new QmpDisconnectedException("cannot send '" + command + "': QMP connection " + name + " is closed");
            }
            try {
                transport.send(message);
            } catch (IOException e) {
                pending.remove(id);
                QmpDisconnectedException failure = new QmpDisconnectedException("cannot send '" + command + "': " + e.getMessage(), e);
                teardown(failure);
                throw failure;
            }
            return p;
        }

        private void readLoop() {
            while (true) {
                JsonNode message;
                try {
                    message = transport.receive();
                } catch (AsynchronousCloseException e) {
                    teardown(new QmpDisconnectedException("QMP connection " + name + " closed"));
                    return;
                } catch (IOException e) {
                    teardown(new QmpDisconnectedException("QMP connection " + name + " lost: " + e.getMessage(), e));
                    return;
                }
                if (!greeting.isDone()) {
                    greeting.complete(message);
                } else if (message.has("event")) {
                    dispatch(message);
                } else if (message.has("id")) {
                    complete(message);
                } else {
                    log.warn("QMP {}: ignoring message without id: {}", name, message);
                }
            }
        }

        private void complete(JsonNode reply) {
            Pending p = pending.remove(reply.get("id").asText());
            if (p == null) {
                log.debug("QMP {}: reply for an unknown or timed-out command: {}", name, reply);
                return;
            }
            if (reply.has("error")) {
                JsonNode error = reply.get("error");
                p.future.completeExceptionally(new QmpExecuteException(
                        p.command, error.path("class").asText("unknown"), error.path("desc").asText("")));
            } else {
                p.future.complete(reply.path("return"));
            }
        }

        private void dispatch(JsonNode message) {
            JsonNode ts = message.path("timestamp");
            Instant at = ts.isObject()
                    ? Instant.ofEpochSecond(ts.path("seconds").asLong(), ts.path("microseconds").asLong() * 1000)
                    : Instant.now();
            QmpEvent event = new QmpEvent(message.get("event").asText(), message.path("data"), at);
            try {
                events.execute(() -> {
                    for (QmpEventListener listener : listeners) {
                        try {
                            listener.onEvent(event);
                        } catch (RuntimeException e) {
                            log.warn("QMP {}: event listener failed on {}", name, event.name(), e);
                        }
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("QMP {}: dropped event {} after disconnect", name, event.name());
            }
        }

        /** Idempotent: fails everything pending with {@code cause} and returns the client to IDLE. */
        void teardown(QmpException cause) {
            boolean first;
            synchronized (this) {
                first = !tornDown;
                tornDown = true;
            }
            if (!first) {
                awaitTeardown();
                return;
            }
            synchronized (stateLock) {
                if (connection == this) {
                    state = QmpRunState.DISCONNECTING;
                }
            }
            try {
                transport.close();
            } catch (IOException e) {
                log.debug("QMP {}: error closing socket", name, e);
            }
            greeting.completeExceptionally(cause);
            for (Pending p : pending.values()) {
                pending.remove(p.id);
                p.future.completeExceptionally(new QmpDisconnectedException(
                        "QMP command '" + p.command + "' lost its connection: " + cause.getMessage(), cause));
            }
            events.shutdown(); // events already received are still delivered
            if (Thread.currentThread() != reader) {
                try {
                    reader.join(READER_JOIN.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (stateLock) {
                if (connection == this) {
                    connection = null;
                    state = QmpRunState.IDLE;
                }
            }
            finished.countDown();
        }

        /** A second caller (e.g. close() racing the reader seeing EOF) returns only once the client is IDLE. */
        private void awaitTeardown() {
            if (Thread.currentThread() == reader) {
                return;
            }
            try {
                finished.await(READER_JOIN.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }
}
