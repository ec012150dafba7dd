package io.hvfabric.scheduler.grpc;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import java.util.function.Function;

/** Relays a VSI's serial console from its host's agent to the operator; cancelling either side cancels both. */
final class ConsoleRelay implements AutoCloseable {
    private final Function<String, ManagedChannel> channels;

    /** {@code channels} gives the (shared, cached) channel to an agent address. */
    ConsoleRelay(Function<String, ManagedChannel> channels) {
        this.channels = channels;
    }

    void relay(String agentAddress, ConsoleRequest request, ServerCallStreamObserver<ConsoleChunk> downstream) {
        ManagedChannel channel = channels.apply(agentAddress);
        NodeServiceGrpc.newStub(channel).streamConsole(request, new ClientResponseObserver<ConsoleRequest, ConsoleChunk>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ConsoleRequest> upstream) {
                downstream.setOnCancelHandler(() -> upstream.cancel("operator went away", null));
            }

            @Override
            public void onNext(ConsoleChunk chunk) {
                synchronized (downstream) {
                    if (!downstream.isCancelled()) {
                        downstream.onNext(chunk);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                if (!downstream.isCancelled()) {
                    downstream.onError(t);
                }
            }

            @Override
            public void onCompleted() {
                if (!downstream.isCancelled()) {
                    downstream.onCompleted();
                }
            }
        });
    }

    @Override
    public void close() {
        // the channels belong to the shared cache
    }
}
