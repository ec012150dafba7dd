package io.hvfabric.cli.command;

import io.grpc.Context;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.Units;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.Vsi;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows a VSI until it is RUNNING or FAILED, printing each state change. Changes arrive through
 * WatchVsi; whenever the watch is quiet for a while, has ended or has failed, a GetVsi fills the
 * gap, so a change made before the watch was registered is never missed.
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

    /** Returns the RUNNING VSI; throws a CliException when it FAILED or the timeout passed. */
    Vsi awaitRunning(Vsi initial, Duration timeout) {
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
            report(last);
            while (!isSettled(last)) {
                Duration remaining = Duration.between(clock.instant(), deadline);
                if (remaining.isNegative() || remaining.isZero()) {
                    throw CliException.failure("timed out after " + Units.duration(timeout) + " waiting for vsi '" + name
                            + "' to be RUNNING (still " + last.getState() + ")");
                }
                Object event = events.poll(Math.min(remaining.toMillis(), QUIET_POLL.toMillis()), TimeUnit.MILLISECONDS);
                Vsi current = event instanceof Vsi vsi
                        ? vsi
                        : client.call(stub -> stub.getVsi(GetVsiRequest.newBuilder().setName(name).build()));
                if (changed(last, current)) {
                    report(current);
                }
                last = current;
            }
            if (last.getState() == Vsi.State.FAILED) {
                throw CliException.failure("vsi '" + name + "' failed"
                        + (last.getMessage().isEmpty() ? "" : ": " + last.getMessage()));
            }
            return last;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted while waiting for vsi '" + name + "'");
        } finally {
            watch.cancel(null);
        }
    }

    private static boolean isSettled(Vsi vsi) {
        return vsi.getState() == Vsi.State.RUNNING || vsi.getState() == Vsi.State.FAILED;
    }

    private static boolean changed(Vsi before, Vsi after) {
        return before.getState() != after.getState()
                || !before.getHost().equals(after.getHost())
                || !before.getMessage().equals(after.getMessage());
    }

    private void report(Vsi vsi) {
        StringBuilder line = new StringBuilder("vsi ").append(vsi.getName()).append(": ").append(vsi.getState());
        if (!vsi.getHost().isEmpty()) {
            line.append(" on ").append(vsi.getHost());
        }
        if (!vsi.getMessage().isEmpty()) {
            line.append(" (").append(vsi.getMessage().replaceAll("\\s+", " ").trim()).append(')');
        }
        progress.println(line);
        progress.flush();
    }
}
