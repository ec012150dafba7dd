package io.hvfabric.scheduler.audit;

import io.etcd.jetcd.Lease;
import io.hvfabric.common.error.FabricException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The etcd leases audit records are bound to, one per slice of time: every record written within a slice shares
 * the slice's lease, so a week of calls costs about 170 leases rather than one per call, and etcd deletes a whole
 * slice when its lease runs out. A lease's TTL is the retention plus one slice, so each record lives at least the
 * retention and at most one slice longer. Leases are never renewed. Shared by the audit records and the fabric
 * events ({@code events/}); the events' leases are granted through the {@code ClusterStore} seam.
 */
public final class LeaseSlices {
    /** Grants a lease of the TTL given, in seconds, and returns its id. */
    @FunctionalInterface
    public interface Granter {
        long grant(long ttlSeconds) throws Exception;
    }

    private static final Duration MIN_SLICE = Duration.ofSeconds(1);
    private static final Duration MAX_SLICE = Duration.ofHours(1);
    private static final long TIMEOUT_SECONDS = 10;

    private final Granter leases;
    private final Duration slice;
    private final long ttlSeconds;
    private final Clock clock;
    private long current;
    private Instant grantedAt = Instant.MIN;

    LeaseSlices(Lease leases, Duration retention, Clock clock) {
        this(ttl -> leases.grant(ttl).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getID(), retention, clock);
    }

    public LeaseSlices(Granter leases, Duration retention, Clock clock) {
        this.leases = leases;
        this.slice = sliceOf(retention);
        this.ttlSeconds = retention.plus(slice).toSeconds();
        this.clock = clock;
    }

    /** A 168th of the retention (an hour of a week), within 1 s .. 1 h. */
    public static Duration sliceOf(Duration retention) {
        Duration slice = retention.dividedBy(168);
        return slice.compareTo(MIN_SLICE) < 0 ? MIN_SLICE : slice.compareTo(MAX_SLICE) > 0 ? MAX_SLICE : slice;
    }

    public long ttlSeconds() {
        return ttlSeconds;
    }

    /** The lease of the current slice, granted when the slice begins. */
    public synchronized long current() {
        Instant now = clock.instant();
        if (current == 0 || !now.isBefore(grantedAt.plus(slice))) {
            current = grant();
            grantedAt = now;
        }
        return current;
    }

    /** After a failed write: {@code lease} may be gone (etcd restored, revoked by hand), so the next write gets a new one. */
    public synchronized void forget(long lease) {
        if (current == lease) {
            current = 0;
        }
    }

    private long grant() {
        try {
            return leases.grant(ttlSeconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable(e, "interrupted while granting a retention lease");
        } catch (ExecutionException | TimeoutException e) {
            throw FabricException.unavailable(e, "cannot grant a retention lease: %s", e.getMessage());
        } catch (Exception e) {
            throw FabricException.unavailable(e, "cannot grant a retention lease: %s", e.getMessage());
        }
    }
}
