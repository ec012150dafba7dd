package io.hvfabric.scheduler.events;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.EventCursor;
import io.hvfabric.proto.v1.EventObject;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreCompactedException;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreEvent;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreRange;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.store.kv.StoreWatchListener;
import io.hvfabric.scheduler.store.kv.TxnResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's event writer, one run per term. A run reads the cursor ({@code {prefix}/eventcursor}: the revision up
 * to which events have been emitted), the records events are derived from as they were at that revision, then
 * watches every committed change after it; each change goes through the {@link EventEmitter} against the previous
 * value, and the events it yields are committed together with the advanced cursor in one transaction fenced by the
 * term's key (the leader loop's fence), so a deposed leader writes none, and none is written twice.
 *
 * <p>Failover: whatever the old leader's changes were committed but their events not yet written, the new leader's
 * run finds after the cursor and emits, marked {@code replayed} (every change at or before the revision its term began).
 * A run whose commit fails or whose outcome is unknown starts again from the cursor, which says what was written.
 * If etcd compacted the history past the cursor, the run starts from the current revision and says so in the log.
 *
 * <p>{@code HOST_NOT_READY} is gossip's view, not a record: the run polls it each second for the hosts whose lease
 * lives and emits it (and READY when gossip reaches the host again) as it sees it; such events are never replayed.
 */
public final class EventPump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventPump.class);
    static final int MAX_EVENTS_PER_TXN = 100;
    private static final Duration FLUSH_EVERY = Duration.ofMillis(200);
    private static final Duration IDLE_CURSOR_EVERY = Duration.ofSeconds(10);
    private static final Duration RESTART_AFTER = Duration.ofSeconds(1);
    private static final String UNREACHABLE = "unreachable";

    private final ClusterStore store;
    private final Keys keys;
    private final EventStore events;
    private final String replica;
    private final Clock clock;
    private final BiFunction<String, String, String> reachability;
    private Run run;

    /** @param reachability gossip's view of a member by kind and id ("reachable", "unreachable", "absent"); may be null */
    public EventPump(ClusterStore store, Keys keys, EventStore events, String replica, Clock clock,
                     BiFunction<String, String, String> reachability) {
        this.store = store;
        this.keys = keys;
        this.events = events;
        this.replica = replica;
        this.clock = clock;
        this.reachability = reachability;
    }

    /** Starts emitting for {@code term} (stopping a run of an earlier term). */
    public synchronized void start(Term term) {
        if (run != null) {
            run.close();
        }
        run = new Run(term);
        run.executor.execute(run::begin);
    }

    /** Stops the run of {@code term}, if it is the current one. */
    public synchronized void stop(Term term) {
        if (run != null && run.term.equals(term)) {
            run.close();
            run = null;
        }
    }

    /** Whether a run is active (tests). */
    synchronized boolean running() {
        return run != null && !run.closed;
    }

    @Override
    public synchronized void close() {
        if (run != null) {
            run.close();
            run = null;
        }
    }

    /** An event waiting for its commit, and the cursor that holds once it and all before it are written. */
    private record Pending(Event event, long cursor) {}

    private final class Run implements StoreWatchListener {
        final Term term;
        final String fence;
        final ScheduledExecutorService executor;
        // Everything below is touched on the executor only.
        final Map<String, Message> tracked = new HashMap<>();
        final Map<String, String> reach = new HashMap<>();
        final EventEmitter emitter = new EventEmitter(this::tenantOf);
        final List<Pending> pending = new ArrayList<>();
        AutoCloseable watch;
        long processed;        // the highest revision whose changes went through the emitter
        long cursorWritten;    // the cursor in etcd, as this run knows it
        Instant cursorWrittenAt = Instant.MIN;
        Instant lastTime = Instant.EPOCH;
        boolean electedAnnounced;
        boolean electedWritten;
        volatile boolean closed;

        Run(Term term) {
            this.term = term;
            this.fence = term.key().toString(StandardCharsets.UTF_8);
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "events-" + term.revision());
                t.setDaemon(true);
                return t;
            });
        }

        void begin() {
            if (closed) {
                return;
            }
            try {
                tracked.clear();
                pending.clear();
                long from = readCursor();
                long current;
                try {
                    current = snapshot(from);
                } catch (RuntimeException e) {
                    if (!compacted(e)) {
                        throw e;
                    }
                    long now = EventStore.await(store.get(keys.eventCursor())).revision();
                    LOG.warn("events of revisions {}..{} are lost: etcd compacted them before they were emitted",
                            from + 1, now);
                    tracked.clear();
                    from = now;
                    current = snapshot(now);
                }
                processed = from;
                if (!electedAnnounced) {
                    add(Event.newBuilder().setKind(Event.Kind.LEADER_ELECTED)
                            .setObject(EventObject.newBuilder().setKind("leader").setName(replica))
                            .setMessage(replica + " leads, term " + term.revision())
                            .putFields("term", Long.toString(term.revision()))
                            .setRevision(term.electedAt()).build(), from);
                    electedAnnounced = true;
                }
                watch = store.watch(keys.prefix() + "/", from + 1, this);
                LOG.info("emitting events for term {} from revision {} (current {})", term.revision(), from + 1,
                        current);
                executor.scheduleWithFixedDelay(this::flush, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(),
                        TimeUnit.MILLISECONDS);
                if (reachability != null) {
                    executor.scheduleWithFixedDelay(this::pollGossip, 1, 1, TimeUnit.SECONDS);
                }
            } catch (RuntimeException e) {
                LOG.warn("cannot start emitting events for term {}: {}; trying again", term.revision(), e.toString());
                restartLater();
            }
        }

        private long readCursor() {
            StoreRange range = EventStore.await(store.get(keys.eventCursor()));
            Optional<StoreEntry> entry = range.single();
            if (entry.isEmpty()) {
                cursorWritten = 0;
                // The first leader ever: events begin with its term.
                return term.electedAt() > 0 && term.electedAt() <= range.revision() ? term.electedAt()
                        : range.revision();
            }
            EventCursor cursor = RecordCodec.decode(io.etcd.jetcd.ByteSequence.from(entry.get().value().toByteArray()),
                    EventCursor.getDefaultInstance());
            cursorWritten = cursor.getRevision();
            return cursor.getRevision();
        }

        /** The tracked records as they were at {@code revision}; returns the current revision. */
        private long snapshot(long revision) {
            long current = 0;
            for (Keys.Kind kind : Keys.Kind.values()) {
                if (!EventEmitter.tracks(kind)) {
                    continue;
                }
                StoreRange range = EventStore.await(
                        store.getPrefix(keys.dir(kind).toString(StandardCharsets.UTF_8), revision));
                current = Math.max(current, range.revision());
                for (StoreEntry entry : range.entries()) {
                    decode(kind, entry).ifPresent(m -> tracked.put(entry.key(), m));
                }
            }
            return current;
        }

        @Override
        public void onEvents(List<StoreEvent> changes, long revision) {
            if (!closed) {
                executor.execute(() -> apply(changes, revision));
            }
        }

        @Override
        public void onError(Throwable error) {
            if (!closed) {
                executor.execute(() -> {
                    LOG.warn("event watch ended ({}); starting again from the cursor", error.toString());
                    restart();
                });
            }
        }

        private void apply(List<StoreEvent> changes, long revision) {
            if (closed || revision <= processed) {
                return;
            }
            boolean othersChange = false;
            for (StoreEvent change : changes) {
                Keys.Parsed key = keys.parse(Keys.bytes(change.entry().key()));
                othersChange |= key == null ? !change.entry().key().equals(keys.eventCursor())
                        : key.kind() != Keys.Kind.EVENT;
                if (key == null || EventEmitter.prototype(key.kind()).isEmpty()) {
                    continue; // the cursor, the events themselves, and records no event is made of
                }
                Message before = tracked.get(change.entry().key());
                Message after = change.type() == StoreEvent.Type.DELETE ? null
                        : decode(key.kind(), change.entry()).orElse(null);
                if (EventEmitter.tracks(key.kind())) {
                    if (after == null) {
                        tracked.remove(change.entry().key());
                    } else {
                        tracked.put(change.entry().key(), after);
                    }
                }
                for (Event event : emitter.diff(new EventEmitter.Change(key.kind(), key.name(), before, after,
                        revision))) {
                    add(event, revision);
                }
            }
            if (othersChange) {
                processed = revision; // this run's own writes alone do not move the cursor (no idle rewrites)
            }
        }

        private void add(Event event, long cursor) {
            Instant now = clock.instant();
            Instant time = now.isAfter(lastTime) ? now : lastTime.plusNanos(1);
            lastTime = time;
            pending.add(new Pending(event.toBuilder()
                    .setTime(Times.timestamp(time))
                    .setReplica(replica)
                    .setReplayed(event.getRevision() > 0 && event.getRevision() <= term.electedAt()
                            && event.getKind() != Event.Kind.LEADER_ELECTED)
                    .build(), cursor));
        }

        private void pollGossip() {
            if (closed) {
                return;
            }
            for (Map.Entry<String, Message> entry : tracked.entrySet()) {
                Keys.Parsed key = keys.parse(Keys.bytes(entry.getKey()));
                if (key == null || key.kind() != Keys.Kind.ALIVE) {
                    continue;
                }
                String host = key.name();
                String now = reachability.apply("agent", host);
                String was = reach.put(host, now);
                if (was == null) {
                    continue; // first look: no change seen yet
                }
                if (UNREACHABLE.equals(now) && !UNREACHABLE.equals(was)) {
                    add(hostEvent(Event.Kind.HOST_NOT_READY, host,
                            "host " + host + " is NOT_READY: gossip finds it unreachable"), processed);
                } else if (UNREACHABLE.equals(was) && !UNREACHABLE.equals(now)) {
                    add(hostEvent(Event.Kind.HOST_READY, host, "host " + host + " is reachable again"), processed);
                }
            }
            reach.keySet().removeIf(h -> !tracked.containsKey(keys.of(Keys.Kind.ALIVE, h)
                    .toString(StandardCharsets.UTF_8)));
        }

        private Event hostEvent(Event.Kind kind, String host, String message) {
            return Event.newBuilder().setKind(kind).setObject(EventObject.newBuilder().setKind("host").setName(host))
                    .setHost(host).setMessage(message).putFields("membership", reachability.apply("agent", host))
                    .build();
        }

        void flush() {
            if (closed) {
                return;
            }
            Instant now = clock.instant();
            boolean idleCursor = processed > cursorWritten
                    && !now.isBefore(cursorWrittenAt.plus(IDLE_CURSOR_EVERY));
            if (pending.isEmpty() && !idleCursor) {
                return;
            }
            try {
                while (!pending.isEmpty() || idleCursor) {
                    int n = Math.min(MAX_EVENTS_PER_TXN, pending.size());
                    List<Pending> chunk = pending.subList(0, n);
                    // A chunk that ends inside a revision leaves the cursor before it, so nothing is skipped.
                    long cursor = n == pending.size() ? processed : pending.get(n).cursor() - 1;
                    List<StoreOp> ops = new ArrayList<>(events.puts(chunk.stream().map(Pending::event).toList()));
                    ops.add(new StoreOp.Put(keys.eventCursor(), ByteString.copyFrom(RecordCodec.encode(
                            EventCursor.newBuilder().setRevision(cursor).setTerm(term.revision()).setReplica(replica)
                                    .setAt(Times.timestamp(now)).build()).getBytes()), 0));
                    TxnResult result = EventStore.await(store.commit(StoreTxn.of(
                            List.of(StoreCompare.createRevision(fence, term.revision())), ops)));
                    if (!result.succeeded()) {
                        LOG.info("term {} is over: its events stop here", term.revision());
                        close();
                        return;
                    }
                    electedWritten |= chunk.stream().anyMatch(p -> p.event().getKind() == Event.Kind.LEADER_ELECTED);
                    chunk.clear();
                    cursorWritten = cursor;
                    cursorWrittenAt = now;
                    idleCursor = false;
                }
            } catch (RuntimeException e) {
                events.writeFailed();
                LOG.warn("events not written ({}); starting again from the cursor", e.toString());
                restart();
            }
        }

        private void restart() {
            closeWatch();
            executor.shutdownNow();
            synchronized (EventPump.this) {
                if (run == this && !closed) {
                    Run next = new Run(term);
                    next.electedAnnounced = electedWritten;
                    next.electedWritten = electedWritten;
                    run = next;
                    next.executor.schedule(next::begin, RESTART_AFTER.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            closed = true;
        }

        private void restartLater() {
            executor.schedule(this::begin, RESTART_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        }

        private Optional<String> tenantOf(String vsi) {
            Message record = tracked.get(keys.of(Keys.Kind.VSI, vsi).toString(StandardCharsets.UTF_8));
            return record instanceof VsiRecord v && !v.getSpec().getTenant().isEmpty()
                    ? Optional.of(v.getSpec().getTenant()) : Optional.empty();
        }

        private void closeWatch() {
            AutoCloseable w = watch;
            watch = null;
            if (w != null) {
                try {
                    w.close();
                } catch (Exception e) {
                    LOG.debug("closing the event watch: {}", e.toString());
                }
            }
        }

        void close() {
            closed = true;
            closeWatch();
            executor.shutdownNow();
        }
    }

    private static Optional<Message> decode(Keys.Kind kind, StoreEntry entry) {
        return EventEmitter.prototype(kind).map(p -> {
            try {
                return RecordCodec.decode(io.etcd.jetcd.ByteSequence.from(entry.value().toByteArray()), p);
            } catch (IllegalStateException e) {
                LOG.warn("{} is not a readable record; no events from it: {}", entry.key(), e.getMessage());
                return null;
            }
        });
    }

    private static boolean compacted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreCompactedException || String.valueOf(t.getMessage()).contains("compacted")) {
                return true;
            }
        }
        return false;
    }
}
