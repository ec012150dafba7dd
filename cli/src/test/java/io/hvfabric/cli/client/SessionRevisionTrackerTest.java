package io.hvfabric.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ClientInterceptors;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.SessionRevision;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionRevisionTrackerTest {
    private final Deque<String> answers = new ArrayDeque<>(List.of("70", "65", "80"));
    private final List<String> asked = new ArrayList<>();
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void everyCallAsksForTheHighestRevisionAnyEarlierAnswerWasAt() throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerInterceptor replicas = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                asked.add(String.valueOf(headers.get(SessionRevision.AT_LEAST)));
                return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        trailers.put(SessionRevision.ANSWERED_AT, answers.pop());
                        super.close(status, trailers);
                    }
                }, headers);
            }
        };
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new OperatorServiceGrpc.OperatorServiceImplBase() {
                    @Override
                    public void getClusterStatus(GetClusterStatusRequest request, StreamObserver<ClusterStatus> out) {
                        out.onNext(ClusterStatus.getDefaultInstance());
                        out.onCompleted();
                    }
                }, replicas))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        SessionRevisionTracker tracker = new SessionRevisionTracker();
        var stub = OperatorServiceGrpc.newBlockingStub(ClientInterceptors.intercept(channel, tracker));

        for (int i = 0; i < 4; i++) {
            if (i == 3) {
                answers.push("1");
            }
            stub.getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
        }

        // A replica answering from an older view (65, then 1) never lowers what is asked for.
        assertThat(asked).containsExactly("null", "70", "70", "80");
        assertThat(tracker.highest()).isEqualTo(80);
    }
}
