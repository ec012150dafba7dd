package io.hvfabric.scheduler.events;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.scheduler.audit.LeaseSlices;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreEvent;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreRange;
import io.hvfabric.scheduler.store.kv.StoreWatchListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Fabric events in etcd under {@code {prefix}/events/<time>-<random>}, through the {@link ClusterStore} seam: the
 * emission time, fixed width like the audit keys so that keys sort as times do, then 8 random hex digits. Each event
 * is bound to its time slice's lease ({@link LeaseSlices}), which bounds retention. Only the leader writes them
 * ({@link EventPump}, in its fenced transactions, with the cursor); any replica reads and watches them.
 */
public final class EventStore {
    static final DateTimeFormatter KEY_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final long TIMEOUT_SECONDS = 10;

    /** Events read together, oldest first, and the revision they were read at: a watch continues from it + 1. */
    public record Listing(List<Event> events, long revision) {}

    private final ClusterStore store;
    private final Keys keys;
    private final LeaseSlices leases;

    public EventStore(ClusterStore store, Keys keys, Duration retention, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.leases = new LeaseSlices(
                ttl -> store.grantLease(Duration.ofSeconds(ttl)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                retention, clock);
    }

    /** The TTL of each lease granted: retention plus one slice. */
    public long leaseTtlSeconds() {
        return leases.ttlSeconds();
    }

    public String dir() {
        return keys.dir(Keys.Kind.EVENT).toString(StandardCharsets.UTF_8);
    }

    /** The puts that store {@code events}, each under its time and bound to the current slice's lease. */
    public List<StoreOp> puts(List<Event> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        long lease = leases.current();
        List<StoreOp> ops = new ArrayList<>(events.size());
        for (Event event : events) {
            String suffix = String.format("%08x", ThreadLocalRandom.current().nextInt());
            String key = dir() + KEY_TIME.format(Times.instant(event.getTime())) + "-" + suffix;
            ops.add(new StoreOp.Put(key, ByteString.copyFrom(RecordCodec.encode(event).getBytes()), lease));
        }
        return ops;
    }

    /** After a failed write: the lease may be gone, so the next write takes a new one. */
    public void writeFailed() {
        leases.forget(leases.current());
    }

    /**
     * The newest {@code limit} events emitted at or after {@code since} that {@code filter} admits, oldest first, and
     * the revision they were read at.
     */
    public Listing newest(Instant since, int limit, Predicate<Event> filter) {
        StoreRange range = await(store.getRange(dir() + KEY_TIME.format(since), ClusterStore.prefixEnd(dir()), 0));
        Deque<Event> kept = new ArrayDeque<>(Math.min(limit, 1024));
        for (StoreEntry entry : range.entries()) {
            Event event = decode(entry);
            if (filter.test(event)) {
                kept.addLast(event);
                if (kept.size() > limit) {
                    kept.removeFirst();
                }
            }
        }
        return new Listing(List.copyOf(kept), range.revision());
    }

    /**
     * Every event stored from {@code fromRevision} on that {@code filter} admits, in order, to {@code sink}; a watch
     * that ends without being closed (compaction, connection lost) goes to {@code onError}. Close to stop.
     */
    public AutoCloseable watch(long fromRevision, Predicate<Event> filter, Consumer<Event> sink,
                               Consumer<Throwable> onError) {
        return store.watch(dir(), fromRevision, new StoreWatchListener() {
            @Override
            public void onEvents(List<StoreEvent> events, long revision) {
                for (StoreEvent change : events) {
                    if (change.type() == StoreEvent.Type.PUT) {
                        Event event = decode(change.entry());
                        if (filter.test(event)) {
                            sink.accept(event);
                        }
                    }
                }
            }

            @Override
            public void onError(Throwable error) {
                onError.accept(error);
            }
        });
    }

    private static Event decode(StoreEntry entry) {
        return RecordCodec.decode(io.etcd.jetcd.ByteSequence.from(entry.value().toByteArray()),
                Event.getDefaultInstance());
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable(e, "interrupted while talking to etcd");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw FabricException.unavailable(cause, "etcd: %s", String.valueOf(cause.getMessage()));
        }
    }
}
