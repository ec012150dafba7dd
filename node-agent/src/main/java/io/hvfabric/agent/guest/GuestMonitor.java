package io.hvfabric.agent.guest;

import com.google.protobuf.Timestamp;
import io.hvfabric.agent.qga.GuestNetworkInterface;
import io.hvfabric.agent.qga.QgaClient;
import io.hvfabric.agent.qga.QgaException;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one VSI's guest through its guest agent: each {@link #tick} pings when one is due and feeds the outcome to
 * the guest's {@link GuestLiveness}; an UP guest's agent version and network interfaces are read on the way. I/O
 * happens outside the lock, so the heartbeat reads a status at any time.
 *
 * <p>A monitor watches only while the guest executes: one that waits for an incoming migration or is paused holds
 * still (no pings, so no misses), and an arrived guest begins a fresh boot bound when it is resumed.
 */
final class GuestMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(GuestMonitor.class);
    static final String INCOMING = "incoming migration";
    /** Enough for an AwaitGuest to find the first answer after a switchover a few minutes back. */
    private static final int ANSWERS_KEPT = 256;

    /** Whether the guest executes, as the reconciler last saw it. */
    enum Mode {
        WATCHING,
        PAUSED,
        INCOMING
    }

    private final String name;
    private final Optional<QgaClient> client;
    private final GuestPolicy policy;
    private final Clock clock;
    private final Consumer<GuestMonitor> onChange;
    final AtomicBoolean busy = new AtomicBoolean(); // a tick is running; the scheduler skips this monitor meanwhile
    // Guarded by this:
    private GuestLiveness liveness;
    private Mode mode;
    private boolean closed;
    private Instant lastPing;
    private boolean versionDue = true;
    private Instant interfacesRead;
    private String agentVersion = "";
    private List<GuestInterface> interfaces = List.of();
    private final ArrayDeque<Instant> answers = new ArrayDeque<>();

    /**
     * @param client the guest agent connection; empty when there is no channel to an agent
     * @param onChange told after every state change, outside the lock
     */
    GuestMonitor(String name, Optional<QgaClient> client, GuestLiveness liveness, Mode mode, GuestPolicy policy,
                 Clock clock, Consumer<GuestMonitor> onChange) {
        this.name = name;
        this.client = client;
        this.liveness = liveness;
        this.mode = mode;
        this.policy = policy;
        this.clock = clock;
        this.onChange = onChange;
    }

    /** Whether a {@link #tick} at {@code now} would ask the guest anything; cheap, for the scheduler thread. */
    synchronized boolean due(Instant now) {
        return !closed && mode == Mode.WATCHING && client.isPresent() && liveness.pingDue(now, lastPing);
    }

    /**
     * One scheduled round: the boot bound, then a ping if one is due, then the guest's facts if they are due. (The boot
     * bound needs no round of its own: a booting guest is pinged every interval.)
     */
    void tick() {
        Instant now = clock.instant();
        QgaClient qga;
        boolean changed;
        synchronized (this) {
            if (closed || mode != Mode.WATCHING || client.isEmpty()) {
                return;
            }
            changed = liveness.tick(now);
            if (!liveness.pingDue(now, lastPing)) {
                qga = null;
            } else {
                lastPing = now;
                qga = client.get();
            }
        }
        if (changed) {
            notifyChange();
        }
        if (qga == null) {
            return;
        }
        boolean answered = ping(qga, true, policy.pingTimeout()).isPresent();
        if (answered) {
            readFacts(qga);
        }
    }

    /**
     * Pings now, outside the schedule (AwaitGuest wants the first answer after a switchover precisely). An answer
     * counts like any other; silence is not a miss, the schedule alone counts those.
     */
    Optional<Instant> probe(Duration timeout) {
        synchronized (this) {
            if (closed || mode != Mode.WATCHING || client.isEmpty() || !liveness.agentExpected()) {
                return Optional.empty();
            }
        }
        return ping(client.get(), false, timeout);
    }

    private Optional<Instant> ping(QgaClient qga, boolean countMiss, Duration timeout) {
        QgaException failure = null;
        try {
            qga.ping(timeout);
        } catch (QgaException e) {
            failure = e;
        }
        Instant at = clock.instant();
        boolean changed;
        synchronized (this) {
            if (closed || mode != Mode.WATCHING) {
                return Optional.empty(); // paused or removed while we asked: the outcome says nothing
            }
            if (failure == null) {
                remember(at);
                changed = liveness.answered(at);
                if (changed) {
                    versionDue = true; // a guest that comes (back) up may run another agent now
                    interfacesRead = null;
                }
            } else {
                changed = countMiss && liveness.missed(at);
            }
        }
        if (failure != null) {
            LOG.debug("VSI {}: guest agent ping failed: {}", name, failure.getMessage());
        }
        if (changed) {
            notifyChange();
        }
        return failure == null ? Optional.of(at) : Optional.empty();
    }

    /** Agent version once per entry into UP; interfaces then and every {@code interfacesRefresh}. */
    private void readFacts(QgaClient qga) {
        Instant now = clock.instant();
        boolean wantVersion;
        boolean wantInterfaces;
        synchronized (this) {
            if (liveness.state() != GuestState.UP) {
                return;
            }
            wantVersion = versionDue;
            versionDue = false;
            wantInterfaces = interfacesRead == null || !now.isBefore(interfacesRead.plus(policy.interfacesRefresh()));
            if (wantInterfaces) {
                interfacesRead = now;
            }
        }
        if (wantVersion) {
            try {
                String version = qga.info(policy.pingTimeout()).version();
                synchronized (this) {
                    agentVersion = version;
                }
            } catch (QgaException e) {
                LOG.debug("VSI {}: guest-info failed: {}", name, e.getMessage());
                synchronized (this) {
                    versionDue = true; // next round
                }
            }
        }
        if (wantInterfaces) {
            try {
                List<GuestInterface> read = qga.networkInterfaces(policy.pingTimeout()).stream()
                        .map(GuestMonitor::toProto).toList();
                synchronized (this) {
                    interfaces = read;
                }
            } catch (QgaException e) {
                LOG.debug("VSI {}: guest-network-get-interfaces failed: {}", name, e.getMessage());
            }
        }
    }

    private void remember(Instant at) {
        if (answers.size() == ANSWERS_KEPT) {
            answers.removeFirst();
        }
        answers.addLast(at);
    }

    /** The first answered ping at or after {@code after} among the recent ones. */
    synchronized Optional<Instant> firstAnswerAtOrAfter(Instant after) {
        return answers.stream().filter(a -> !a.isBefore(after)).findFirst();
    }

    /** The guest executes (again): start watching; an arrived guest begins its boot bound now. */
    void watch() {
        boolean changed = false;
        synchronized (this) {
            if (mode == Mode.INCOMING && liveness.agentExpected()) {
                liveness = GuestLiveness.booting(policy, clock.instant(), "");
                lastPing = null;
                changed = true; // "incoming migration" ends: BOOTING anew, since now
            }
            mode = Mode.WATCHING;
        }
        if (changed) {
            notifyChange();
        }
    }

    /** The guest does not execute (paused, post-migration): hold the state, count nothing. */
    synchronized void pause() {
        if (mode == Mode.WATCHING) {
            mode = Mode.PAUSED;
        }
    }

    /** The image turns out to have no agent while nothing answered yet (a monitor started by AwaitGuest). */
    void noAgentInImage() {
        boolean changed;
        synchronized (this) {
            changed = liveness.agentExpected() && liveness.state() == GuestState.BOOTING;
            if (changed) {
                liveness = GuestLiveness.withoutAgent(policy, clock.instant(), GuestLiveness.NO_AGENT_IN_IMAGE);
            }
        }
        if (changed) {
            client.ifPresent(QgaClient::close); // never asked again
            notifyChange();
        }
    }

    synchronized Mode mode() {
        return mode;
    }

    synchronized GuestState state() {
        return liveness.state();
    }

    synchronized boolean agentExpected() {
        return liveness.agentExpected();
    }

    Optional<QgaClient> client() {
        return client;
    }

    synchronized GuestStatus status() {
        return GuestStatus.newBuilder()
                .setState(liveness.state().toProto())
                .setSince(timestamp(liveness.since()))
                .setMessage(liveness.message())
                .setAgentVersion(agentVersion)
                .addAllInterfaces(interfaces)
                .setMissedPings(liveness.missedPings())
                .build();
    }

    String name() {
        return name;
    }

    /** The monitor is done (VSI stopped or gone, or a new QEMU took over): no more pings or notifications. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        client.ifPresent(QgaClient::close);
    }

    private void notifyChange() {
        GuestStatus s;
        synchronized (this) {
            if (closed) {
                return;
            }
            s = status();
        }
        LOG.info("VSI {}: guest {}{}", name, s.getState(), s.getMessage().isEmpty() ? "" : " (" + s.getMessage() + ")");
        onChange.accept(this);
    }

    private static GuestInterface toProto(GuestNetworkInterface i) {
        return GuestInterface.newBuilder().setName(i.name()).setMac(i.mac()).addAllAddresses(i.addresses()).build();
    }

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }
}
