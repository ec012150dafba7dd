package io.hvfabric.agent.guest;

import io.hvfabric.agent.guest.GuestMonitor.Mode;
import io.hvfabric.agent.qga.QgaClient;
import io.hvfabric.proto.v1.GuestStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The guest monitors of this host's VSIs, one per running guest. The reconciler tells it what each guest's QEMU is
 * doing (level-triggered: repeating a call is harmless); the heartbeat reads {@link #status}. One scheduler thread
 * looks at every monitor each {@value #TICK_MS} ms and hands those with a ping due to a pool, so a silent guest (each
 * ping waits out its timeout) never delays another guest's ping, and a healthy host costs one short ping per guest per
 * second. The mutators are serialized (the reconciler and AwaitGuest both call them); they do no guest I/O.
 */
public final class GuestMonitors implements AutoCloseable {
    /** Scheduling resolution: pings are due every {@code pingInterval} and start within this much of it. */
    static final long TICK_MS = 100;
    static final String NO_CHANNEL = "no guest agent channel to this VSI";

    private final Function<String, Optional<Path>> sockets;
    private final GuestPolicy policy;
    private final Clock clock;
    private final GuestListener listener;
    private final Map<String, GuestMonitor> monitors = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "guest-ticker"));
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> daemon(r, "guest-probe"));

    /**
     * @param sockets the guest agent socket of a running VSI's QEMU, empty when it has none (the fake driver, a QEMU
     *     started without the channel)
     * @param listener told of every state change and of each monitor's removal
     */
    public GuestMonitors(Function<String, Optional<Path>> sockets, GuestPolicy policy, Clock clock,
                         GuestListener listener) {
        this.sockets = sockets;
        this.policy = policy;
        this.clock = clock;
        this.listener = listener;
    }

    /** Starts pinging; until then monitors are only kept (tests drive {@link GuestMonitor#tick} themselves). */
    public void start() {
        ticker.scheduleAtFixedRate(this::tickAll, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tickAll() {
        Instant now = clock.instant();
        for (GuestMonitor m : monitors.values()) {
            if (m.due(now) && m.busy.compareAndSet(false, true)) {
                try {
                    probes.execute(() -> {
                        try {
                            m.tick();
                        } finally {
                            m.busy.set(false);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    m.busy.set(false); // closing
                }
            }
        }
    }

    /** The VSI's QEMU was just started: a new guest boots, whatever was watched before under that name. */
    public synchronized void started(String name, boolean agentExpected) {
        replace(name, agentExpected, Mode.WATCHING, "");
    }

    /** The guest executes: watch it, starting a monitor if there is none (e.g. adopted after an agent restart). */
    public synchronized void running(String name, boolean agentExpected) {
        GuestMonitor m = monitors.get(name);
        if (m == null || channelAppeared(m, agentExpected)) {
            started(name, agentExpected);
            return;
        }
        if (!agentExpected) {
            m.noAgentInImage();
        }
        m.watch();
    }

    /** The guest executes, with whatever the monitor knows of its image (an agent is assumed when none exists yet). */
    synchronized void resumed(String name) {
        GuestMonitor m = monitors.get(name);
        running(name, m == null || m.agentExpected());
    }

    /** QEMU waits for an incoming migration: BOOTING, "incoming migration", until the arrived guest is resumed. */
    public synchronized void incoming(String name, boolean agentExpected) {
        GuestMonitor m = monitors.get(name);
        if (m == null || m.mode() != Mode.INCOMING || channelAppeared(m, agentExpected)) {
            replace(name, agentExpected, Mode.INCOMING, GuestMonitor.INCOMING);
        }
    }

    /**
     * A monitor made before its QEMU was up (an arriving migration's session is registered before the target QEMU
     * starts) found no socket; look again, so the guest is not NO_AGENT for good.
     */
    private boolean channelAppeared(GuestMonitor m, boolean agentExpected) {
        return agentExpected && m.client().isEmpty() && sockets.apply(m.name()).isPresent();
    }

    /** The guest does not execute (paused, or migrated away and not yet destroyed): hold its state. */
    public synchronized void paused(String name) {
        GuestMonitor m = monitors.get(name);
        if (m != null) {
            m.pause();
        }
    }

    /** The VSI stopped or left this host. */
    public synchronized void remove(String name) {
        GuestMonitor m = monitors.remove(name);
        if (m != null) {
            m.close();
            listener.changed(name, Optional.empty());
        }
    }

    /** Removes the monitors of every VSI not in {@code names}. */
    public synchronized void retainOnly(Set<String> names) {
        for (String name : Set.copyOf(monitors.keySet())) {
            if (!names.contains(name)) {
                remove(name);
            }
        }
    }

    GuestPolicy policy() {
        return policy;
    }

    public Optional<GuestStatus> status(String name) {
        return get(name).map(GuestMonitor::status);
    }

    Optional<GuestMonitor> get(String name) {
        return Optional.ofNullable(monitors.get(name));
    }

    private void replace(String name, boolean agentExpected, Mode mode, String message) {
        Optional<Path> socket = agentExpected ? sockets.apply(name) : Optional.empty();
        GuestLiveness liveness;
        if (!agentExpected) {
            liveness = GuestLiveness.withoutAgent(policy, clock.instant(), GuestLiveness.NO_AGENT_IN_IMAGE);
        } else if (socket.isEmpty()) {
            liveness = GuestLiveness.withoutAgent(policy, clock.instant(), NO_CHANNEL);
        } else {
            liveness = GuestLiveness.booting(policy, clock.instant(), message);
        }
        GuestMonitor fresh = new GuestMonitor(name, socket.map(s -> new QgaClient(name, s)), liveness, mode, policy,
                clock, this::changed);
        GuestMonitor old = monitors.put(name, fresh);
        if (old != null) {
            old.close();
        }
        listener.changed(name, Optional.of(fresh.state()));
    }

    /** A monitor replaced or removed a moment ago may still report; only the current one speaks for its VSI. */
    private void changed(GuestMonitor m) {
        if (monitors.get(m.name()) == m) {
            listener.changed(m.name(), Optional.of(m.state()));
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        probes.shutdownNow();
        monitors.values().forEach(GuestMonitor::close);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
