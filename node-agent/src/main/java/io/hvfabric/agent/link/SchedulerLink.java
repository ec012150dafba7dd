package io.hvfabric.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostUsage;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.VsiStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this host registered and alive: registers, then heartbeats at the interval the scheduler asked for. A
 * heartbeat refused because the lease is gone (the host was declared DOWN meanwhile) leads to a fresh registration;
 * an unavailable replica leads to the next one. The answers also carry the certificate deny list
 * ({@link LearnedDenyList}), so a revocation reaches this agent within one heartbeat interval.
 */
public final class SchedulerLink implements AutoCloseable {
    /** What each heartbeat reports. */
    public interface Reporter {
        HostUsage usage();

        List<VsiStatus> vsis();
    }

    /** Told about registration results, for metrics and logs. */
    public interface Listener {
        void onRegistered(RegisterResponse response);

        void onHeartbeat(boolean ok);
    }

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerLink.class);
    private static final Duration RPC_DEADLINE = Duration.ofSeconds(5);

    private final SchedulerEndpoints endpoints;
    private final Supplier<RegisterRequest> registration;
    private final Reporter reporter;
    private final TermGuard terms;
    private final LearnedDenyList revoked;
    private final Listener listener;
    private final Thread thread;
    /** Nudges wake the sleeping loop; an interrupt would also cancel a heartbeat already on the wire. */
    private final Semaphore nudges = new Semaphore(0);
    private volatile boolean closed;
    private volatile long leaseId;

    public SchedulerLink(SchedulerEndpoints endpoints, Supplier<RegisterRequest> registration, Reporter reporter,
                         TermGuard terms, LearnedDenyList revoked, Listener listener) {
        this.endpoints = endpoints;
        this.registration = registration;
        this.reporter = reporter;
        this.terms = terms;
        this.revoked = revoked;
        this.listener = listener;
        this.thread = new Thread(this::run, "scheduler-link");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean registered() {
        return leaseId != 0;
    }

    /** Sends a heartbeat now rather than at the next tick (e.g. right after a VSI changed state). */
    public void nudge() {
        nudges.release();
    }

    private void run() {
        long intervalMs = 1000;
        while (!closed) {
            ManagedChannel channel = endpoints.current();
            try {
                if (leaseId == 0) {
                    RegisterResponse r = stub(channel).register(registration.get());
                    terms.admit(r.getTerm());
                    revoked.learn(r.getRevocations());
                    leaseId = r.getLeaseId();
                    intervalMs = r.getHeartbeatIntervalMs();
                    LOG.info("registered with {} (leader {}, term {})", endpoints.currentAddress(), r.getLeader(),
                            r.getTerm());
                    listener.onRegistered(r);
                } else {
                    var answer = stub(channel).heartbeat(HeartbeatRequest.newBuilder()
                            .setHostId(registration.get().getHostId())
                            .setLeaseId(leaseId)
                            .setUsage(reporter.usage())
                            .addAllVsis(reporter.vsis())
                            .setRevocationsAfter(revoked.revision())
                            .build());
                    terms.admit(answer.getTerm());
                    revoked.learn(answer.getRevocations());
                    listener.onHeartbeat(true);
                }
            } catch (StatusRuntimeException e) {
                listener.onHeartbeat(false);
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.NOT_FOUND || code == Status.Code.FAILED_PRECONDITION) {
                    LOG.warn("lease lost ({}); registering again", e.getStatus().getDescription());
                    leaseId = 0;
                    continue;
                }
                LOG.warn("scheduler {} failed: {}", endpoints.currentAddress(), e.getStatus());
                endpoints.failover(channel);
                intervalMs = Math.min(intervalMs, 1000);
            } catch (RuntimeException e) {
                LOG.warn("heartbeat failed", e);
            }
            sleep(intervalMs);
        }
    }

    private static AgentServiceGrpc.AgentServiceBlockingStub stub(ManagedChannel channel) {
        return AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(RPC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sleep(long millis) {
        try {
            if (nudges.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
                nudges.drainPermits(); // one heartbeat answers every nudge that came meanwhile
            }
        } catch (InterruptedException e) {
            // closing: the loop checks the flag
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
