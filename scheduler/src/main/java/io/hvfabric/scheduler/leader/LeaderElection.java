package io.hvfabric.scheduler.leader;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Campaigns for leadership through etcd's election API on a lease of {@code ttl}. Leadership is a small lifecycle:
 * elected → leading until the lease cannot be kept alive (or a fenced write finds the term gone) → deposed → campaign
 * again. A replica that dies without resigning loses leadership when its lease expires, within the TTL.
 */
public final class LeaderElection implements AutoCloseable {
    /** Told about each transition; called on the election thread. */
    public interface Listener {
        void onElected(Term term);

        void onDeposed(Term term);
    }

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    private final Client client;
    private final Keys keys;
    private final LeaderRecord self;
    private final Duration ttl;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Term current;
    private volatile CompletableFuture<Void> lost = new CompletableFuture<>();

    public LeaderElection(Client client, Keys keys, LeaderRecord self, Duration ttl, Listener listener) {
        this.client = client;
        this.keys = keys;
        this.self = self;
        this.ttl = ttl;
        this.listener = listener;
        this.thread = new Thread(this::run, "leader-election");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** The term this replica leads, if it leads. */
    public Optional<Term> leading() {
        return Optional.ofNullable(current);
    }

    /** Called when a fenced write proves the term is over: stop acting as leader at once. */
    public void stepDown(Term term) {
        if (term.equals(current)) {
            LOG.warn("term {} is over; stepping down", term.revision());
            lost.complete(null);
        }
    }

    private void run() {
        while (!closed) {
            long leaseId = 0;
            CloseableClient keepAlive = null;
            try {
                leaseId = client.getLeaseClient().grant(ttl.toSeconds()).get(10, TimeUnit.SECONDS).getID();
                lost = new CompletableFuture<>();
                AtomicLong lastRenewal = new AtomicLong(System.nanoTime());
                keepAlive = client.getLeaseClient().keepAlive(leaseId, keepAliveObserver(lastRenewal));
                CampaignResponse won = client.getElectionClient()
                        .campaign(keys.electionName(), leaseId, RecordCodec.encode(self))
                        .get();
                LeaderKey key = won.getLeader();
                // The campaign's own header carries the revision its key was created at, which can be long before
                // this replica won; a read now gives a revision every write of earlier terms is at or below.
                long electedAt = client.getKVClient().get(key.getKey()).get(10, TimeUnit.SECONDS)
                        .getHeader().getRevision();
                Term term = new Term(self.getId(), self.getAddress(), key.getKey(), key.getRevision(), electedAt);
                current = term;
                LOG.info("elected leader, term {}", term.revision());
                listener.onElected(term);
                awaitLoss(lastRenewal);
                current = null;
                LOG.warn("deposed, term {}", term.revision());
                listener.onDeposed(term);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("election round failed: {}", e.toString());
                    sleep(Duration.ofMillis(500));
                }
            } finally {
                current = null;
                if (keepAlive != null) {
                    keepAlive.close();
                }
                revokeQuietly(leaseId);
            }
        }
    }

    private StreamObserver<LeaseKeepAliveResponse> keepAliveObserver(AtomicLong lastRenewal) {
        return new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse response) {
                if (response.getTTL() <= 0) {
                    lost.complete(null);
                } else {
                    lastRenewal.set(System.nanoTime());
                }
            }

            @Override
            public void onError(Throwable t) {
                lost.complete(null);
            }

            @Override
            public void onCompleted() {
                lost.complete(null);
            }
        };
    }

    /** Leads until the lease is lost, or until no renewal arrived for a whole TTL (etcd unreachable). */
    private void awaitLoss(AtomicLong lastRenewal) throws InterruptedException {
        long ttlNanos = ttl.toNanos();
        while (!closed && !lost.isDone()) {
            if (System.nanoTime() - lastRenewal.get() > ttlNanos) {
                return;
            }
            try {
                lost.get(Math.max(100, ttl.toMillis() / 10), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ignored) {
                // keep watching
            }
        }
    }

    private void revokeQuietly(long leaseId) {
        if (leaseId == 0) {
            return;
        }
        try {
            client.getLeaseClient().revoke(leaseId).get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the lease expires by itself
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        lost.complete(null);
        thread.interrupt();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests and diagnostics. */
    public static ByteSequence electionName(Keys keys) {
        return keys.electionName();
    }
}
