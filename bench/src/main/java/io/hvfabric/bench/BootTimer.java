package io.hvfabric.bench;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Times one VSI through the operator API: CreateVsi, then RUNNING (WatchVsi) and the first hvf-tick on its console
 * (StreamConsole with follow, retried until the agent has a console to stream), then deletes it and waits until
 * it is gone so the next measurement starts on a quiet host.
 */
public final class BootTimer {
    private static final long RETRY_MS = 50;

    public record Boot(String name, String host, double runningMs, double firstTickMs) {}

    private final ManagedChannel channel;
    private final OperatorServiceGrpc.OperatorServiceBlockingStub operator;

    public BootTimer(ManagedChannel channel) {
        this.channel = channel;
        this.operator = OperatorServiceGrpc.newBlockingStub(channel);
    }

    public Boot measure(VsiSpec spec, long timeoutMs) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Vsi created = operator.withDeadlineAfter(30, TimeUnit.SECONDS)
                .createVsi(CreateVsiRequest.newBuilder().setSpec(spec).build());
        try {
            CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> awaitRunning(spec.getName(), deadline));
            long tick = awaitFirstTick(spec.getName(), deadline);
            long runningAt = running.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Boot(spec.getName(), created.getHost(), (runningAt - start) / 1e6, (tick - start) / 1e6);
        } finally {
            delete(spec.getName());
        }
    }

    private long awaitRunning(String name, long deadline) {
        Iterator<Vsi> updates = operator.withDeadlineAfter(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .watchVsi(GetVsiRequest.newBuilder().setName(name).build());
        while (updates.hasNext()) {
            Vsi v = updates.next();
            if (v.getState() == Vsi.State.RUNNING) {
                return System.nanoTime();
            }
            if (v.getState() == Vsi.State.FAILED) {
                throw new IllegalStateException(name + " FAILED: " + v.getMessage());
            }
        }
        throw new IllegalStateException(name + ": watch ended before RUNNING");
    }

    /** nanoTime at which the first chunk holding hvf-tick arrived; retries while the console does not exist yet. */
    private long awaitFirstTick(String name, long deadline) throws Exception {
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            CompletableFuture<Long> tick = new CompletableFuture<>();
            OperatorServiceGrpc.newStub(channel).streamConsole(
                    ConsoleRequest.newBuilder().setName(name).setFollow(true).build(), new FirstTickObserver(tick));
            try {
                return tick.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof StatusRuntimeException sre)) {
                    throw e;
                }
                last = sre;
                Thread.sleep(RETRY_MS); // no console yet (not placed or QEMU not started): ask again
            }
        }
        throw new TimeoutException(name + ": no hvf-tick on the console in time"
                + (last == null ? "" : " (last error: " + last.getStatus() + ")"));
    }

    private void delete(String name) throws InterruptedException {
        VsiDeletion.deleteAndAwaitGone(operator, name, Duration.ofSeconds(30));
    }
}
