package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.SessionRevision;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionConsistencyTest {
    private final AtomicLong view = new AtomicLong(40);
    /** The view revision the handler saw when it answered. */
    private final AtomicLong answeredFrom = new AtomicLong();
    private final List<Long> waitedFor = new CopyOnWriteArrayList<>();
    private final String name = InProcessServerBuilder.generateName();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void serve() throws Exception {
        // The view catches up with whatever is waited for, as ClusterView.awaitRevision returns once it has.
        SessionConsistency consistency = new SessionConsistency(view::get, (revision, timeout) -> {
            waitedFor.add(revision);
            view.accumulateAndGet(revision, Math::max);
            return true;
        });
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(new OperatorServiceGrpc.OperatorServiceImplBase() {
                    @Override
                    public void getClusterStatus(GetClusterStatusRequest request, StreamObserver<ClusterStatus> out) {
                        answeredFrom.set(view.get());
                        out.onNext(ClusterStatus.getDefaultInstance());
                        out.onCompleted();
                    }
                }, consistency))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void everyAnswerSaysTheRevisionItWasAnsweredAt() {
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        OperatorServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());

        assertThat(trailers.get().get(SessionRevision.ANSWERED_AT)).isEqualTo("40");
        assertThat(waitedFor).isEmpty();
    }

    @Test
    void aCallThatNamesANewerRevisionIsAnsweredOnlyFromAViewThatHasIt() {
        Metadata headers = new Metadata();
        headers.put(SessionRevision.AT_LEAST, "57");
        OperatorServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());

        assertThat(waitedFor).containsExactly(57L);
        assertThat(answeredFrom.get()).isGreaterThanOrEqualTo(57);
    }

    @Test
    void anOlderOrMalformedRevisionWaitsForNothing() {
        for (String value : List.of("12", "not-a-number", "-5", "99999999999999999999")) {
            Metadata headers = new Metadata();
            headers.put(SessionRevision.AT_LEAST, value);
            OperatorServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
        }

        assertThat(waitedFor).isEmpty();
    }

    @Test
    void aForwardedWriteReturnsOnlyOnceTheFollowersViewHasTheLeadersAnswer() {
        List<Long> followerWaited = new CopyOnWriteArrayList<>();
        LeaderRecord leader = LeaderRecord.newBuilder().setId("leader").setAddress(name).build();
        view.set(91); // the leader's view after its commit
        Forwarding follower = new Forwarding("follower", Optional::empty, () -> Optional.of(leader), a -> channel,
                (revision, timeout) -> followerWaited.add(revision));

        follower.route(term -> null, ch -> OperatorServiceGrpc.newBlockingStub(ch)
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));

        assertThat(followerWaited).containsExactly(91L);
    }
}
