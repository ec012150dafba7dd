package io.hvfabric.scheduler.store.kv;

import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * etcd's semantics in memory, for in-process tests of the controllers: one revision counter that moves once per
 * write, transactions checked the way etcd checks them (branch size, one write per key, unknown leases), leases that
 * expire on the injected clock when {@link #expireLeases()} runs (each operation runs it first), MVCC reads at past
 * revisions, and watches replaying history from any revision not {@link #compact compacted}. Watch events are
 * delivered on one thread, in revision order, as etcd's watch stream does.
 */
public final class InMemoryClusterStore implements ClusterStore {
    /** etcd starts at revision 1 with an empty key space; its first write is revision 2. */
    private static final long INITIAL_REVISION = 1;

    private record Change(long revision, List<StoreEvent> events) {}

    private record Lease(long id, Duration ttl, Instant expiresAt) {
        Lease renewed(Instant now) {
            return new Lease(id, ttl, now.plus(ttl));
        }
    }

    private final Clock clock;
    private final NavigableMap<String, StoreEntry> entries = new TreeMap<>();
    /** The key space at {@link #compactedRevision}; {@link #history} holds every change after it. */
    private NavigableMap<String, StoreEntry> base = new TreeMap<>();
    private final List<Change> history = new ArrayList<>();
    private final Map<Long, Lease> leases = new HashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-memory-store-watch");
        t.setDaemon(true);
        return t;
    });
    private long revision = INITIAL_REVISION;
    private long compactedRevision = 0;
    private long nextLease = 1;
    private boolean closed;

    public InMemoryClusterStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<StoreRange> get(String key) {
        return call(() -> read(key, key + "\0", 0));
    }

    @Override
    public CompletableFuture<StoreRange> getPrefix(String prefix, long atRevision) {
        return call(() -> read(prefix, ClusterStore.prefixEnd(prefix), atRevision));
    }

    @Override
    public CompletableFuture<StoreRange> getRange(String from, String to, long atRevision) {
        return call(() -> read(from, to, atRevision));
    }

    @Override
    public CompletableFuture<TxnResult> commit(StoreTxn txn) {
        return call(() -> apply(txn));
    }

    @Override
    public CompletableFuture<Long> grantLease(Duration ttl) {
        return call(() -> {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("lease ttl must be positive, got " + ttl);
            }
            long id = nextLease++;
            leases.put(id, new Lease(id, ttl, clock.instant().plus(ttl)));
            return id;
        });
    }

    @Override
    public CompletableFuture<Void> keepAlive(long lease) {
        return call(() -> {
            Lease current = requireLease(lease);
            leases.put(lease, current.renewed(clock.instant()));
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> revokeLease(long lease) {
        return call(() -> {
            requireLease(lease);
            endLease(lease);
            return null;
        });
    }

    @Override
    public AutoCloseable watch(String prefix, long fromRevision, StoreWatchListener listener) {
        Subscription subscription = new Subscription(prefix, listener);
        synchronized (this) {
            if (fromRevision > 0 && fromRevision <= compactedRevision) {
                StoreCompactedException compacted = new StoreCompactedException(fromRevision, compactedRevision);
                dispatcher.execute(() -> listener.onError(compacted));
                return () -> { };
            }
            long from = fromRevision > 0 ? fromRevision : revision + 1;
            for (Change change : history) {
                if (change.revision() >= from) {
                    subscription.offer(change);
                }
            }
            subscriptions.add(subscription);
        }
        return () -> {
            subscription.closed = true;
            subscriptions.remove(subscription);
        };
    }

    /** Ends every lease whose time to live has passed on the clock, deleting its keys: etcd's lessor, on demand. */
    public synchronized void expireLeases() {
        Instant now = clock.instant();
        List<Long> expired = leases.values().stream().filter(l -> !now.isBefore(l.expiresAt())).map(Lease::id)
                .sorted().toList();
        expired.forEach(this::endLease);
    }

    /** Forgets the history up to {@code upTo}: reads and watches from before it fail as compacted, as in etcd. */
    public synchronized void compact(long upTo) {
        if (upTo > revision) {
            throw new IllegalArgumentException("cannot compact the future revision " + upTo + " (now " + revision + ")");
        }
        if (upTo <= compactedRevision) {
            return;
        }
        base = asOf(upTo);
        compactedRevision = upTo;
        history.removeIf(c -> c.revision() <= compactedRevision);
    }

    public synchronized long revision() {
        return revision;
    }

    /** Whether the lease exists (granted, neither revoked nor expired as of the last expiry pass). */
    public synchronized boolean leaseExists(long lease) {
        return leases.containsKey(lease);
    }

    @Override
    public synchronized void close() {
        closed = true;
        subscriptions.clear();
        dispatcher.shutdown();
    }

    private interface Body<T> {
        T run();
    }

    /** Runs {@code body} under the store's lock after expiring leases, as a future that fails with its exception. */
    private <T> CompletableFuture<T> call(Body<T> body) {
        synchronized (this) {
            try {
                if (closed) {
                    throw new IllegalStateException("the store is closed");
                }
                expireLeases();
                return CompletableFuture.completedFuture(body.run());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }

    private StoreRange read(String from, String to, long atRevision) {
        if (atRevision > revision) {
            throw new IllegalArgumentException("revision " + atRevision + " is in the future (now " + revision + ")");
        }
        if (atRevision > 0 && atRevision < compactedRevision) {
            throw new StoreCompactedException(atRevision, compactedRevision);
        }
        NavigableMap<String, StoreEntry> view = atRevision == 0 || atRevision == revision ? entries : asOf(atRevision);
        NavigableMap<String, StoreEntry> range = "\0".equals(to) ? view.tailMap(from, true) : view.subMap(from, true, to, false);
        return new StoreRange(new ArrayList<>(range.values()), revision);
    }

    /** The key space as it was at {@code past}: the compacted base with the later history replayed onto it. */
    private NavigableMap<String, StoreEntry> asOf(long past) {
        NavigableMap<String, StoreEntry> then = new TreeMap<>(base);
        for (Change change : history) {
            if (change.revision() > past) {
                break;
            }
            for (StoreEvent event : change.events()) {
                if (event.type() == StoreEvent.Type.PUT) {
                    then.put(event.entry().key(), event.entry());
                } else {
                    then.remove(event.entry().key());
                }
            }
        }
        return then;
    }

    private TxnResult apply(StoreTxn txn) {
        if (txn.compares().size() > MAX_OPS_PER_TXN) {
            throw new IllegalArgumentException("too many operations in txn request: " + txn.compares().size()
                    + " compares > " + MAX_OPS_PER_TXN);
        }
        validate(txn.onSuccess());
        validate(txn.onFailure());
        boolean succeeded = txn.compares().stream().allMatch(c -> c.holdsFor(entries.get(c.key())));
        List<StoreOp> ops = succeeded ? txn.onSuccess() : txn.onFailure();
        long next = revision + 1;
        List<StoreEvent> events = new ArrayList<>();
        for (StoreOp op : ops) {
            if (op instanceof StoreOp.Put put) {
                events.add(new StoreEvent(StoreEvent.Type.PUT, written(put, next)));
            } else if (op instanceof StoreOp.DeletePrefix prefix) {
                for (String key : List.copyOf(entries.subMap(prefix.key(), true,
                        ClusterStore.prefixEnd(prefix.key()), false).keySet())) {
                    deleted(key, next).ifPresent(events::add);
                }
            } else {
                deleted(op.key(), next).ifPresent(events::add);
            }
        }
        if (!events.isEmpty()) {
            record(next, events);
        }
        return new TxnResult(succeeded, revision);
    }

    /** etcd's checks, made before anything is applied: both branches, whichever runs. */
    private void validate(List<StoreOp> ops) {
        if (ops.size() > MAX_OPS_PER_TXN) {
            throw new IllegalArgumentException("too many operations in txn request: " + ops.size() + " > "
                    + MAX_OPS_PER_TXN);
        }
        Set<String> puts = new HashSet<>();
        for (StoreOp op : ops) {
            if (op instanceof StoreOp.Put put) {
                if (!puts.add(put.key())) {
                    throw new IllegalArgumentException("duplicate key given in txn request: " + put.key());
                }
                if (put.lease() != 0 && !leases.containsKey(put.lease())) {
                    throw new IllegalArgumentException("requested lease not found: " + put.lease());
                }
            }
        }
        for (StoreOp op : ops) {
            boolean overlaps = op instanceof StoreOp.DeletePrefix
                    ? puts.stream().anyMatch(k -> k.startsWith(op.key()))
                    : op instanceof StoreOp.Delete && puts.contains(op.key());
            if (overlaps) {
                throw new IllegalArgumentException("duplicate key given in txn request: " + op.key());
            }
        }
    }

    private StoreEntry written(StoreOp.Put put, long rev) {
        StoreEntry old = entries.get(put.key());
        StoreEntry entry = old == null
                ? new StoreEntry(put.key(), put.value(), rev, rev, 1, put.lease())
                : new StoreEntry(put.key(), put.value(), old.createRevision(), rev, old.version() + 1, put.lease());
        entries.put(put.key(), entry);
        return entry;
    }

    private Optional<StoreEvent> deleted(String key, long rev) {
        StoreEntry old = entries.remove(key);
        return old == null ? Optional.empty() : Optional.of(new StoreEvent(StoreEvent.Type.DELETE,
                new StoreEntry(key, ByteString.EMPTY, 0, rev, 0, 0)));
    }

    private void endLease(long lease) {
        leases.remove(lease);
        long next = revision + 1;
        List<StoreEvent> events = new ArrayList<>();
        Set<String> bound = new LinkedHashSet<>();
        entries.values().stream().filter(e -> e.lease() == lease).forEach(e -> bound.add(e.key()));
        for (String key : bound) {
            deleted(key, next).ifPresent(events::add);
        }
        if (!events.isEmpty()) {
            record(next, events);
        }
    }

    private Lease requireLease(long lease) {
        Lease current = leases.get(lease);
        if (current == null) {
            throw new IllegalArgumentException("requested lease not found: " + lease);
        }
        return current;
    }

    private void record(long rev, List<StoreEvent> events) {
        revision = rev;
        Change change = new Change(rev, List.copyOf(events));
        history.add(change);
        for (Subscription subscription : subscriptions) {
            subscription.offer(change);
        }
    }

    /** One watch: the changes under its prefix, handed to the dispatcher in the order they were committed. */
    private final class Subscription {
        private final String prefix;
        private final StoreWatchListener listener;
        private volatile boolean closed;

        Subscription(String prefix, StoreWatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        void offer(Change change) {
            List<StoreEvent> mine = change.events().stream().filter(e -> e.entry().key().startsWith(prefix)).toList();
            if (!mine.isEmpty()) {
                dispatcher.execute(() -> {
                    if (!closed) {
                        listener.onEvents(mine, change.revision());
                    }
                });
            }
        }
    }
}
