package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An operator that reads nothing holds the agent back: the relay asks the agent for a chunk only when it can pass it on. */
@Timeout(20)
class ConsoleRelayTest {
    private static final int CHUNKS = 100;

    private Server agent;
    private Server replica;
    private ManagedChannel toAgent;
    private ManagedChannel toReplica;

    /** Sends CHUNKS chunks as fast as its caller's flow control lets it, as the agent's ConsoleTail does. */
    private final AtomicInteger sentByAgent = new AtomicInteger();

    @AfterEach
    void stop() throws InterruptedException {
        for (ManagedChannel c : new ManagedChannel[] {toAgent, toReplica}) {
            c.shutdownNow();
        }
        for (Server s : new Server[] {agent, replica}) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSlowOperatorHoldsTheAgentBackAndThenGetsEveryChunk() throws Exception {
        String agentName = InProcessServerBuilder.generateName();
        agent = InProcessServerBuilder.forName(agentName).addService(new NodeServiceGrpc.NodeServiceImplBase() {
            @Override
            public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
                ServerCallStreamObserver<ConsoleChunk> out = (ServerCallStreamObserver<ConsoleChunk>) response;
                new Thread(() -> {
                    while (sentByAgent.get() < CHUNKS && !out.isCancelled()) {
                        if (out.isReady()) {
                            out.onNext(ConsoleChunk.newBuilder().setData(ByteString.copyFrom(new byte[1024])).build());
                            sentByAgent.incrementAndGet();
                        } else {
                            sleep(2);
                        }
                    }
                    out.onCompleted();
                }).start();
            }
        }).build().start();
        toAgent = InProcessChannelBuilder.forName(agentName).build();
        ConsoleRelay relay = new ConsoleRelay(address -> toAgent);
        String replicaName = InProcessServerBuilder.generateName();
        replica = InProcessServerBuilder.forName(replicaName).addService(new OperatorServiceGrpc.OperatorServiceImplBase() {
            @Override
            public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
                relay.relay("host-1:7002", request, (ServerCallStreamObserver<ConsoleChunk>) response);
            }
        }).build().start();
        toReplica = InProcessChannelBuilder.forName(replicaName).build();

        AtomicReference<ClientCallStreamObserver<ConsoleRequest>> operator = new AtomicReference<>();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        OperatorServiceGrpc.newStub(toReplica).streamConsole(ConsoleRequest.newBuilder().setName("web-1").build(),
                new ClientResponseObserver<ConsoleRequest, ConsoleChunk>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<ConsoleRequest> call) {
                        operator.set(call);
                        call.disableAutoRequestWithInitial(0); // reads nothing for now
                    }

                    @Override
                    public void onNext(ConsoleChunk chunk) {
                        received.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });

        await().atMost(Duration.ofSeconds(5)).until(() -> sentByAgent.get() >= 1);
        Thread.sleep(300);
        assertThat(sentByAgent.get()).as("chunks the agent could send to a relay whose operator reads nothing")
                .isLessThanOrEqualTo(2);

        operator.get().request(CHUNKS);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(received).hasValue(CHUNKS);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
