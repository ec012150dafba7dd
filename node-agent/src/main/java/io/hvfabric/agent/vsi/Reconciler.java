package io.hvfabric.agent.vsi;

import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.network.NoNetworking;
import io.hvfabric.agent.network.VsiNetworking;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges this host's guests to the desired state the scheduler sends. Level-triggered: each pass looks at the
 * whole desired set and at what actually runs, acts, and records what it saw; a repeated or missed message is
 * harmless. Guests found running at start-up (an agent restart) are adopted, never restarted or duplicated, and
 * nothing is destroyed before the first desired state has arrived. Each pass also tells {@link GuestMonitors} what
 * every guest's QEMU is doing, so a guest is watched exactly while it executes here, and first converges the host's
 * tenant networks ({@link VsiNetworking}): a VSI's taps exist before its QEMU starts and go when it leaves.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final long PERIOD_MS = 2000;

    private final VirtDriver driver;
    private final LaunchSpecs launchSpecs;
    private final RestartPolicy restartPolicy;
    private final Runnable onStatusChange;
    private final Predicate<String> incomingMigration;
    private final GuestMonitors guests;
    private final VsiNetworking networking;
    private final Thread thread;
    private final Map<String, VsiStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, RestartHistory> restarts = new HashMap<>();
    private final Object wake = new Object();
    private volatile DesiredState desired;
    private volatile boolean closed;
    private boolean dirty;

    /** Restarts of one VSI within the policy window, and when the next may happen. */
    private static final class RestartHistory {
        final List<Long> times = new ArrayList<>();
        long notBefore;
        long total;
    }

    /** Desired state of a VSI leaving this host by live migration: leave its guest to the migration. */
    public static final String MIGRATING_OUT = "MIGRATING_OUT";
    /** Desired state of a VSI arriving on this host: keep the incoming guest, never start one. */
    public static final String MIGRATING_IN = "MIGRATING_IN";

    /**
     * @param incomingMigration names being received by a live migration on this agent right now; their guests are
     *     never destroyed here, even before the scheduler lists them as {@link #MIGRATING_IN}
     * @param guests the guest agent monitors; their state goes into {@link #statuses()}
     */
    public Reconciler(VirtDriver driver, LaunchSpecs launchSpecs, RestartPolicy restartPolicy,
                      Runnable onStatusChange, Predicate<String> incomingMigration, GuestMonitors guests) {
        this(driver, launchSpecs, restartPolicy, onStatusChange, incomingMigration, guests,
                new NoNetworking("no network data plane configured"));
    }

    /** @param networking plugs the VSIs' vNICs into this host's tenant networks */
    public Reconciler(VirtDriver driver, LaunchSpecs launchSpecs, RestartPolicy restartPolicy,
                      Runnable onStatusChange, Predicate<String> incomingMigration, GuestMonitors guests,
                      VsiNetworking networking) {
        this.networking = networking;
        this.incomingMigration = incomingMigration;
        this.guests = guests;
        this.driver = driver;
        this.launchSpecs = launchSpecs;
        this.restartPolicy = restartPolicy;
        this.onStatusChange = onStatusChange;
        this.thread = new Thread(this::run, "reconciler");
        this.thread.setDaemon(true);
    }

    /** Adopts guests that survived an agent restart, then starts the loop. */
    public void start() {
        for (VmHandle running : driver.listRunning()) {
            Optional<VmHandle> adopted = driver.adopt(running.name());
            adopted.ifPresent(h -> {
                LOG.info("adopted running VSI {} (pid {})", h.name(), h.pid());
                statuses.put(h.name(), status(h.name(), Vsi.State.RUNNING, (int) h.pid(), "adopted after agent restart",
                        0));
            });
        }
        thread.start();
    }

    public void setDesired(DesiredState state) {
        desired = state;
        synchronized (wake) {
            dirty = true;
            wake.notifyAll();
        }
    }

    /** What this host last observed of each VSI it owns, with its guest as the guest agent shows it. */
    public List<VsiStatus> statuses() {
        DesiredState d = desired;
        if (d == null) {
            return statuses.values().stream().map(this::withGuest).toList();
        }
        List<VsiStatus> list = new ArrayList<>();
        for (VsiAssignment a : d.getVsisList()) {
            VsiStatus s = statuses.get(a.getSpec().getName());
            if (s != null) {
                list.add(withGuest(s));
            }
        }
        return list;
    }

    /** Read at report time: a guest's state changes between passes (and nudges the heartbeat itself). */
    private VsiStatus withGuest(VsiStatus s) {
        return guests.status(s.getName()).map(g -> s.toBuilder().setGuest(g).build()).orElse(s);
    }

    public int runningCount() {
        return (int) statuses.values().stream().filter(s -> s.getState() == Vsi.State.RUNNING).count();
    }

    private void run() {
        while (!closed) {
            try {
                reconcileOnce();
            } catch (RuntimeException e) {
                LOG.warn("reconcile pass failed", e);
            }
            synchronized (wake) {
                if (!dirty && !closed) {
                    try {
                        wake.wait(PERIOD_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                dirty = false;
            }
        }
    }

    /** One pass: destroy what is no longer ours, then bring each desired VSI to its desired state. */
    void reconcileOnce() {
        DesiredState state = desired;
        if (state == null) {
            return; // never act on "nothing desired" before the scheduler has said so
        }
        Map<String, VsiAssignment> wanted = new LinkedHashMap<>();
        for (VsiAssignment a : state.getVsisList()) {
            wanted.put(a.getSpec().getName(), a);
        }
        // Stopped ones too: a VSI deleted while stopped still holds its run directory and uid.
        for (String name : driver.listResident()) {
            if (!wanted.containsKey(name) && !incomingMigration.test(name)) {
                LOG.info("destroying VSI {}: no longer assigned to this host", name);
                driver.destroy(name);
                unplugQuietly(name); // a migrated source's taps go once its QEMU is gone
                guests.remove(name);
                statuses.remove(name);
                restarts.remove(name);
            }
        }
        // An arriving VSI is still owned (and reported) by its source host.
        statuses.keySet().removeIf(name -> !wanted.containsKey(name) || MIGRATING_IN.equals(wanted.get(name).getDesired()));
        guests.retainOnly(wanted.keySet());
        launchSpecs.volumes().ifPresent(files -> sweepVolumes(files, state));
        try {
            networking.converge(state); // bridges before taps, taps before QEMU
        } catch (RuntimeException e) {
            LOG.warn("network data plane pass failed: {}", e.toString());
        }
        for (VsiAssignment assignment : wanted.values()) {
            if (closed) {
                return;
            }
            converge(assignment);
        }
    }

    /**
     * Deletes the images of local volumes this host no longer holds (deleted, or never its own): kept are those the
     * desired state lists and any a desired VSI still uses. After the destroys above, so no QEMU has one open.
     */
    private static void sweepVolumes(io.hvfabric.agent.volume.VolumeFiles files, DesiredState state) {
        java.util.Set<String> keep = new java.util.HashSet<>(state.getVolumesList());
        for (VsiAssignment a : state.getVsisList()) {
            a.getSpec().getDisksList().forEach(d -> keep.add(d.getId()));
        }
        try {
            files.sweep(keep);
        } catch (RuntimeException e) {
            LOG.warn("volume sweep failed: {}", e.toString());
        }
    }

    private void converge(VsiAssignment assignment) {
        String name = assignment.getSpec().getName();
        boolean agent = assignment.getImage().getGuestAgent();
        if (MIGRATING_IN.equals(assignment.getDesired())) {
            watchArriving(name, agent); // the target role owns this guest until the scheduler moves ownership here
            return;
        }
        VmStatus actual = driver.status(name);
        VsiStatus previous = statuses.get(name);
        if (MIGRATING_OUT.equals(assignment.getDesired())) {
            // Watched while it still runs here; held once migrated (paused), dropped when destroyed.
            switch (actual) {
                case RUNNING -> guests.running(name, agent);
                case STOPPED -> guests.remove(name);
                default -> guests.paused(name);
            }
            // The source role drives QEMU now: no start, stop or restart, and a paused or postmigrate guest is
            // exactly what a finished pre-copy leaves. Only report.
            record(name, actual == VmStatus.STOPPED ? Vsi.State.FAILED : Vsi.State.MIGRATING, pidOf(name),
                    actual == VmStatus.STOPPED ? "guest exited while migrating" : "migrating (guest is "
                            + actual.name().toLowerCase() + ")", previous);
            return;
        }
        if ("STOPPED".equals(assignment.getDesired())) {
            if (actual.isAlive()) {
                LOG.info("stopping VSI {}", name);
                driver.stop(name, STOP_GRACE);
            }
            restarts.remove(name);
            guests.remove(name);
            record(name, Vsi.State.STOPPED, 0, "", previous);
            return;
        }
        switch (actual) {
            case RUNNING -> {
                guests.running(name, agent);
                record(name, Vsi.State.RUNNING, pidOf(name), "", previous);
            }
            case PAUSED, MIGRATED -> resume(name, actual, agent, previous);
            case INCOMING -> {
                guests.incoming(name, agent);
                record(name, Vsi.State.STARTING, pidOf(name), "guest is waiting for an incoming migration", previous);
            }
            case SHUTDOWN, CRASHED, STOPPED -> {
                guests.remove(name); // whatever follows, that guest is gone
                startOrRestart(assignment, actual, previous);
            }
        }
    }

    /**
     * A guest arriving by live migration: BOOTING ("incoming migration") while it is received or waits paused, watched
     * once resumed. While its migration runs only the session is asked: QMP belongs to the target role then.
     */
    private void watchArriving(String name, boolean agent) {
        if (incomingMigration.test(name)) {
            guests.incoming(name, agent);
            return;
        }
        switch (driver.status(name)) {
            case RUNNING -> guests.running(name, agent);
            case INCOMING -> guests.incoming(name, agent);
            case STOPPED -> guests.remove(name);
            default -> { } // arrived and paused until ResumeTarget: keep holding
        }
    }

    /**
     * Desired RUNNING but the guest is paused: a rollback after the migration paused the source (postmigrate), or a
     * migrated guest whose ResumeTarget was lost. Ownership says this host runs it, so it runs.
     */
    private void resume(String name, VmStatus actual, boolean agent, VsiStatus previous) {
        if (incomingMigration.test(name)) {
            guests.incoming(name, agent);
            record(name, Vsi.State.STARTING, pidOf(name), "guest is still being received", previous);
            return;
        }
        try {
            LOG.info("resuming VSI {} (was {})", name, actual.name().toLowerCase());
            driver.resume(name);
            guests.running(name, agent);
            record(name, Vsi.State.RUNNING, pidOf(name), "", previous);
        } catch (RuntimeException e) {
            guests.paused(name);
            LOG.warn("VSI {} could not be resumed: {}", name, e.getMessage());
            record(name, Vsi.State.STARTING, pidOf(name), "guest is " + actual.name().toLowerCase()
                    + "; resume failed: " + e.getMessage(), previous);
        }
    }

    private void startOrRestart(VsiAssignment assignment, VmStatus actual, VsiStatus previous) {
        String name = assignment.getSpec().getName();
        Optional<String> refused = networking.refusal(assignment);
        if (refused.isPresent()) {
            // Not a failed start: nothing to retry until this host's configuration changes, so no restart counting.
            record(name, Vsi.State.FAILED, 0, refused.get(), previous);
            return;
        }
        RestartHistory history = restarts.computeIfAbsent(name, n -> new RestartHistory());
        long now = System.currentTimeMillis();
        // STARTING during the backoff is this pass's own "restart pending", not a second death.
        boolean died = previous != null && now >= history.notBefore
                && (previous.getState() == Vsi.State.RUNNING || previous.getState() == Vsi.State.STARTING);
        if (died || (previous != null && previous.getState() == Vsi.State.FAILED)) {
            history.times.removeIf(t -> now - t > restartPolicy.window().toMillis());
            if (!restartPolicy.allows(history.times.size())) {
                record(name, Vsi.State.FAILED, 0, "guest died " + (history.times.size() + 1)
                        + " times within " + restartPolicy.window().toMinutes() + " min; not restarting", previous);
                return;
            }
            if (died) {
                LOG.warn("VSI {} died ({}); restarting", name, actual);
                history.notBefore = now + restartPolicy.backoff(history.times.size() + 1).toMillis();
                history.times.add(now);
                history.total++;
            }
        }
        if (now < history.notBefore) {
            record(name, Vsi.State.STARTING, 0, "restart pending", previous);
            return;
        }
        if (actual != VmStatus.STOPPED) {
            driver.destroy(name); // a dead guest's process (shutdown, crashed) goes before a new one starts
        }
        record(name, Vsi.State.STARTING, 0, "", previous);
        try {
            VmHandle handle = driver.start(launchSpecs.forAssignment(assignment, networking.plug(assignment)));
            guests.started(name, assignment.getImage().getGuestAgent());
            LOG.info("started VSI {} (pid {})", name, handle.pid());
            record(name, Vsi.State.RUNNING, (int) handle.pid(), "", statuses.get(name));
        } catch (RuntimeException e) {
            LOG.warn("VSI {} failed to start: {}", name, e.getMessage());
            driver.destroy(name);
            history.times.add(now);
            history.notBefore = now + restartPolicy.backoff(history.times.size()).toMillis();
            record(name, Vsi.State.FAILED, 0, e.getMessage() == null ? e.toString() : e.getMessage(),
                    statuses.get(name));
        }
    }

    private void unplugQuietly(String name) {
        try {
            networking.unplug(name);
        } catch (RuntimeException e) {
            LOG.warn("VSI {}: cannot remove its taps (the next pass sweeps them): {}", name, e.toString());
        }
    }

    private int pidOf(String name) {
        return driver.listRunning().stream()
                .filter(h -> h.name().equals(name))
                .mapToInt(h -> (int) h.pid())
                .findFirst()
                .orElse(0);
    }

    private void record(String name, Vsi.State state, int pid, String message, VsiStatus previous) {
        long total = Optional.ofNullable(restarts.get(name)).map(h -> h.total).orElse(0L);
        VsiStatus next = status(name, state, pid, message, total);
        statuses.put(name, next);
        if (!next.equals(previous)) {
            onStatusChange.run();
        }
    }

    private static VsiStatus status(String name, Vsi.State state, int pid, String message, long restarts) {
        return VsiStatus.newBuilder()
                .setName(name)
                .setState(state)
                .setPid(pid)
                .setMessage(message)
                .setRestarts(restarts)
                .build();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
