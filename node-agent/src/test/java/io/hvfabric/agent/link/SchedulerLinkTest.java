package io.hvfabric.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HeartbeatResponse;
import io.hvfabric.proto.v1.HostUsage;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.Revocations;
import io.hvfabric.proto.v1.VsiStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Against a real gRPC server on loopback whose heartbeats take a while to answer, as a busy leader's do. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchedulerLinkTest {
    private final AtomicInteger heartbeatsServed = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger successes = new AtomicInteger();
    private Server server;
    private SchedulerEndpoints endpoints;
    private SchedulerLink link;

    @AfterEach
    void tearDown() throws Exception {
        if (link != null) {
            link.close();
        }
        if (endpoints != null) {
            endpoints.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNudgeDuringAHeartbeatDoesNotCancelIt() throws Exception {
        startLink(new SlowScheduler(), new LearnedDenyList());
        waitUntil(link::registered, Duration.ofSeconds(10));

        // Nudge every 20 ms while heartbeats (each 200 ms on the server) are on the wire.
        long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < until) {
            link.nudge();
            Thread.sleep(20);
        }
        waitUntil(() -> successes.get() >= 3, Duration.ofSeconds(5));

        assertThat(failures.get()).as("heartbeats failed (cancelled by a nudge)").isZero();
        assertThat(endpoints.currentAddress().port()).isEqualTo(server.getPort());
    }

    /**
     * The registration answer brings the whole deny list, each heartbeat asks only for what came after the newest
     * revision held, and a lagging replica's answer (an older revision, fewer serials) takes nothing away.
     */
    @Test
    void theDenyListIsLearnedFromRegistrationAndHeartbeatAnswers() throws Exception {
        RevokingScheduler scheduler = new RevokingScheduler();
        LearnedDenyList revoked = new LearnedDenyList();
        startLink(scheduler, revoked);

        waitUntil(() -> revoked.contains(new CertificateSerial("5a3f")), Duration.ofSeconds(10));
        waitUntil(() -> revoked.contains(new CertificateSerial("77")), Duration.ofSeconds(10));
        waitUntil(() -> scheduler.asked.size() >= 4, Duration.ofSeconds(10));

        assertThat(scheduler.asked.subList(0, 3)).as("revocations_after of each heartbeat").containsExactly(5L, 9L, 9L);
        assertThat(revoked.revision()).isEqualTo(9);
        assertThat(revoked.contains(new CertificateSerial("5a3f"))).as("kept after the lagging answer").isTrue();
        assertThat(revoked.contains(new CertificateSerial("5a40"))).isFalse();
    }

    private void startLink(AgentServiceGrpc.AgentServiceImplBase scheduler, LearnedDenyList revoked)
            throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(scheduler).build().start();
        endpoints = new SchedulerEndpoints(List.of(new HostPort("127.0.0.1", server.getPort())), Optional.empty());
        link = new SchedulerLink(endpoints, () -> RegisterRequest.newBuilder().setHostId("host-1").build(),
                new SchedulerLink.Reporter() {
                    @Override
                    public HostUsage usage() {
                        return HostUsage.getDefaultInstance();
                    }

                    @Override
                    public List<VsiStatus> vsis() {
                        return List.of();
                    }
                }, new TermGuard(), revoked, new SchedulerLink.Listener() {
                    @Override
                    public void onRegistered(RegisterResponse response) {
                    }

                    @Override
                    public void onHeartbeat(boolean ok) {
                        (ok ? successes : failures).incrementAndGet();
                    }
                });
        link.start();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Registration: serial 5a3f at revision 5. First heartbeat: 77 at revision 9 (if asked after 5); then a lagging
     * replica's answers: revision 7, nothing new.
     */
    private static final class RevokingScheduler extends AgentServiceGrpc.AgentServiceImplBase {
        final List<Long> asked = new CopyOnWriteArrayList<>();

        @Override
        public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
            response.onNext(RegisterResponse.newBuilder().setLeaseId(7).setHeartbeatIntervalMs(100).setTerm(1)
                    .setRevocations(Revocations.newBuilder().addSerials("5a3f").setRevision(5)).build());
            response.onCompleted();
        }

        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
            asked.add(request.getRevocationsAfter());
            Revocations answer = asked.size() == 1 && request.getRevocationsAfter() < 9
                    ? Revocations.newBuilder().addSerials("77").setRevision(9).build()
                    : Revocations.newBuilder().setRevision(7).build();
            response.onNext(HeartbeatResponse.newBuilder().setTerm(1).setRevocations(answer).build());
            response.onCompleted();
        }
    }

    private final class SlowScheduler extends AgentServiceGrpc.AgentServiceImplBase {
        @Override
        public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
            response.onNext(RegisterResponse.newBuilder().setLeaseId(7).setHeartbeatIntervalMs(1000).setTerm(1)
                    .setLeader("sched-1").build());
            response.onCompleted();
        }

        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
            heartbeatsServed.incrementAndGet();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            response.onNext(HeartbeatResponse.newBuilder().setTerm(1).build());
            response.onCompleted();
        }
    }
}
