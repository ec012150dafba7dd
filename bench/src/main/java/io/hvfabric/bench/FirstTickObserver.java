package io.hvfabric.bench;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Follows a VSI's console and completes with the arrival time ({@code System.nanoTime()}) of the first chunk holding
 * {@code hvf-tick}, then cancels the stream; fails with the stream's error or if it ends first.
 */
final class FirstTickObserver implements ClientResponseObserver<ConsoleRequest, ConsoleChunk> {
    private final CompletableFuture<Long> tick;
    private final StringBuilder seen = new StringBuilder();
    private ClientCallStreamObserver<ConsoleRequest> call;

    FirstTickObserver(CompletableFuture<Long> tick) {
        this.tick = tick;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsoleRequest> call) {
        this.call = call;
    }

    @Override
    public void onNext(ConsoleChunk chunk) {
        long now = System.nanoTime();
        seen.append(chunk.getData().toString(StandardCharsets.UTF_8));
        if (seen.indexOf("hvf-tick") >= 0 && tick.complete(now)) {
            call.cancel("got the first tick", null);
        }
        if (seen.length() > 8192) {
            seen.delete(0, seen.length() - 16); // keep a tail long enough for a split marker
        }
    }

    @Override
    public void onError(Throwable t) {
        tick.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        tick.completeExceptionally(Status.UNAVAILABLE.withDescription("console ended before hvf-tick")
                .asRuntimeException());
    }
}
