package io.hvfabric.scheduler.grpc;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Relays a VSI's serial console from its host's agent to the operator; cancelling either side cancels both. Flow
 * control passes through: the next chunk is asked of the agent only once the previous one has been handed to an
 * operator stream that is ready for it, so a slow operator holds back the agent instead of filling this replica's
 * memory.
 */
final class ConsoleRelay implements AutoCloseable {
    private final Function<String, ManagedChannel> channels;

    /** {@code channels} gives the (shared, cached) channel to an agent address. */
    ConsoleRelay(Function<String, ManagedChannel> channels) {
        this.channels = channels;
    }

    void relay(String agentAddress, ConsoleRequest request, ServerCallStreamObserver<ConsoleChunk> downstream) {
        ManagedChannel channel = channels.apply(agentAddress);
        NodeServiceGrpc.newStub(channel).streamConsole(request, new ClientResponseObserver<ConsoleRequest, ConsoleChunk>() {
            private ClientCallStreamObserver<ConsoleRequest> upstream;
            /** A chunk has been asked of the agent and not yet received: at most one at a time. */
            private final AtomicBoolean asked = new AtomicBoolean(true);

            @Override
            public void beforeStart(ClientCallStreamObserver<ConsoleRequest> upstream) {
                this.upstream = upstream;
                upstream.disableAutoRequestWithInitial(1);
                downstream.setOnCancelHandler(() -> upstream.cancel("operator went away", null));
                downstream.setOnReadyHandler(this::askIfReady);
            }

            @Override
            public void onNext(ConsoleChunk chunk) {
                asked.set(false);
                synchronized (downstream) {
                    if (!downstream.isCancelled()) {
                        downstream.onNext(chunk);
                    }
                }
                askIfReady();
            }

            private void askIfReady() {
                if (downstream.isReady() && !downstream.isCancelled() && asked.compareAndSet(false, true)) {
                    upstream.request(1);
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
