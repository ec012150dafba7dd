package io.hvfabric.cli.command;

import io.grpc.Context;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.Units;
import io.hvfabric.cli.output.VsiViews;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.Vsi;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows a VSI until it is RUNNING or FAILED, printing each state change; for an image with a guest agent, then
 * until that agent is UP (or the agent reports there is none). Changes arrive through WatchVsi; whenever the watch is
 * quiet for a while, has ended or has failed, a GetVsi fills the gap, so a change made before the watch was
 * registered is never missed.
 */
final class VsiWaiter {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration QUIET_POLL = Duration.ofSeconds(2);
    private static final Object WATCH_ENDED = new Object();

    private final SchedulerClient client;
    private final PrintStream progress;
    private final Clock clock;

    VsiWaiter(SchedulerClient client, PrintStream progress, Clock clock) {
        this.client = client;
        this.progress = progress;
        this.clock = clock;
    }

    /**
     * Returns the RUNNING VSI (with its guest agent UP when {@code guestAgent}); throws a CliException when it FAILED,
     * has no guest agent after all, or the timeout passed.
     */
    Vsi awaitRunning(Vsi initial, Duration timeout, boolean guestAgent) {
        String name = initial.getName();
        Instant deadline = clock.instant().plus(timeout);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Context.CancellableContext watch = Context.current().withCancellation();
        Thread watcher = new Thread(() -> watch.run(() -> {
            try {
                client.stream(stub -> stub.watchVsi(GetVsiRequest.newBuilder().setName(name).build()), timeout, events::add);
            } catch (RuntimeException e) {
                // The poll below keeps going and reports what the scheduler says about the VSI.
            } finally {
                events.add(WATCH_ENDED);
            }
        }), "hvctl-watch-" + name);
        watcher.setDaemon(true);
        watcher.start();
        try {
            Vsi last = initial;
            Instant runningSince = null;
            report(last, guestAgent, null);
            while (!isSettled(last, guestAgent)) {
                Duration remaining = Duration.between(clock.instant(), deadline);
                if (remaining.isNegative() || remaining.isZero()) {
                    throw timedOut(last, timeout);
                }
                Object event = events.poll(Math.min(remaining.toMillis(), QUIET_POLL.toMillis()), TimeUnit.MILLISECONDS);
                Vsi current = event instanceof Vsi vsi
                        ? vsi
                        : client.call(stub -> stub.getVsi(GetVsiRequest.newBuilder().setName(name).build()));
                if (current.getState() != Vsi.State.RUNNING) {
                    runningSince = null;
                } else if (runningSince == null) {
                    runningSince = clock.instant();
                }
                if (changed(last, current, guestAgent)) {
                    report(current, guestAgent, runningSince);
                }
                last = current;
            }
            if (last.getState() == Vsi.State.FAILED) {
                throw CliException.failure("vsi '" + name + "' failed"
                        + (last.getMessage().isEmpty() ? "" : ": " + last.getMessage()));
            }
            if (guestAgent && last.getGuest().getState() == GuestStatus.State.NO_AGENT) {
                throw CliException.failure("vsi '" + name + "' runs, but its guest agent is NO_AGENT"
                        + guestMessage(last.getGuest()));
            }
            return last;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted while waiting for vsi '" + name + "'");
        } finally {
            watch.cancel(null);
        }
    }

    private static CliException timedOut(Vsi last, Duration timeout) {
        String waited = "timed out after " + Units.duration(timeout) + " waiting for vsi '" + last.getName() + "'";
        if (last.getState() != Vsi.State.RUNNING) {
            return CliException.failure(waited + " to be RUNNING (still " + last.getState() + ")");
        }
        return CliException.failure(waited + "'s guest agent to be UP (still " + VsiViews.guestState(last)
                + guestMessage(last.getGuest()) + ")");
    }

    private static boolean isSettled(Vsi vsi, boolean guestAgent) {
        if (vsi.getState() == Vsi.State.FAILED) {
            return true;
        }
        if (vsi.getState() != Vsi.State.RUNNING) {
            return false;
        }
        GuestStatus.State guest = vsi.getGuest().getState();
        return !guestAgent || guest == GuestStatus.State.UP || guest == GuestStatus.State.NO_AGENT;
    }

    private static boolean changed(Vsi before, Vsi after, boolean guestAgent) {
        return before.getState() != after.getState()
                || !before.getHost().equals(after.getHost())
                || !before.getMessage().equals(after.getMessage())
                || guestAgent && after.getState() == Vsi.State.RUNNING
                        && (before.getGuest().getState() != after.getGuest().getState()
                                || !before.getGuest().getMessage().equals(after.getGuest().getMessage()));
    }

    private void report(Vsi vsi, boolean guestAgent, Instant runningSince) {
        StringBuilder line = new StringBuilder("vsi ").append(vsi.getName()).append(": ").append(vsi.getState());
        if (!vsi.getHost().isEmpty()) {
            line.append(" on ").append(vsi.getHost());
        }
        if (!vsi.getMessage().isEmpty()) {
            line.append(" (").append(oneLine(vsi.getMessage())).append(')');
        }
        if (guestAgent && vsi.getState() == Vsi.State.RUNNING) {
            GuestStatus guest = vsi.getGuest();
            if (guest.getState() == GuestStatus.State.UP && runningSince != null) {
                line.append(", guest agent UP after ").append(String.format(Locale.ROOT, "%.1f s",
                        Duration.between(runningSince, clock.instant()).toMillis() / 1000.0));
            } else if (guest.getState() == GuestStatus.State.STATE_UNSPECIFIED) {
                line.append(", waiting for its guest agent").append(guestMessage(guest));
            } else {
                line.append(", guest agent ").append(guest.getState()).append(guestMessage(guest));
            }
        }
        progress.println(line);
        progress.flush();
    }

    private static String guestMessage(GuestStatus guest) {
        return guest.getMessage().isEmpty() ? "" : ": " + oneLine(guest.getMessage());
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
