package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreRange;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.store.kv.TxnResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The leader's writer for one term, in the shape of Kafka's KRaft controller: every write operation is a
 * {@link Decision} run on this loop's single thread against the committed state plus the writes of the decisions
 * before it; their writes are group-committed, many decisions in one transaction fenced by the term's key, while
 * the next decisions are already being made. One transaction is in flight at a time, so etcd applies the batches in
 * the order they were decided. A decision's future completes once its batch has committed.
 *
 * <p>Every key a decision read from the committed state is compared in its batch at the revision it was read, so a
 * writer outside the loop cannot be overwritten: if one changed such a key, the batch fails its compares, and it and
 * every batch decided after it are decided again once the state shows the other write (up to {@link #MAX_ATTEMPTS}).
 *
 * <p>A transaction whose fence fails means the term is over: everything queued or in flight fails NOT_LEADER and the
 * loop stops. So does a transaction whose outcome is unknown (etcd unreachable, timed out): the state it may have
 * written can only be learned by reading etcd afresh, which a new term does.
 */
public final class LeaderLoop implements AutoCloseable {
    /** The term's election key and its create revision: every batch compares it. */
    public record Fence(String key, long createRevision) {}

    private record DecodedKey(Class<?> type, ByteString bytes) {}

    private static final int DECODED_RECORDS = 8192;
    /** How often a decision is decided again after its batch lost a compare to another writer. */
    static final int MAX_ATTEMPTS = 5;
    private static final long COMMIT_TIMEOUT_SECONDS = 10;
    /** Sealed batches waiting behind the one in flight before the loop stops deciding (back-pressure). */
    private static final int MAX_SEALED = 2;

    private static final class Task<R> {
        final Decision<R> decision;
        final CompletableFuture<Committed<R>> future;
        int attempts;
        R value;

        Task(Decision<R> decision, CompletableFuture<Committed<R>> future) {
            this.decision = decision;
            this.future = future;
        }

        void complete(long revision) {
            future.complete(new Committed<>(value, revision));
        }
    }

    private static final class Batch {
        final WriteBatch writes;
        final List<Task<?>> decided = new ArrayList<>();
        final List<PendingWrites.Pending> marks = new ArrayList<>();

        Batch(int maxOps) {
            writes = new WriteBatch(maxOps);
        }
    }

    private final ClusterStore store;
    private final Fence fence;
    private final CommittedState state;
    private final int maxBatchOps;
    private final Consumer<Throwable> onEnded;
    private final ExecutorService thread;
    private final Queue<Task<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    // Loop-thread state only.
    private final PendingWrites pending = new PendingWrites();
    /** Records decoded by decisions, by type and bytes: the same pending records are read by many decisions. */
    private final Map<DecodedKey, Object> decodedRecords = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<DecodedKey, Object> eldest) {
            return size() > DECODED_RECORDS;
        }
    };
    private final Deque<Task<?>> retry = new ArrayDeque<>();
    private final Queue<Batch> sealed = new ArrayDeque<>();
    private Batch filling;
    private Batch committing;
    private long lastCommitted;
    /** After a lost compare: decide nothing until the committed state shows this revision (the other write). */
    private long resumeAt;

    /**
     * @param maxBatchOps at most this many writes per transaction (≤ etcd's {@code --max-txn-ops})
     * @param onEnded told once why the loop ended (the term is over, or a commit's outcome is unknown); not called
     *     for {@link #close()}
     */
    public LeaderLoop(ClusterStore store, Fence fence, CommittedState state, int maxBatchOps,
                      Consumer<Throwable> onEnded) {
        this.store = store;
        this.fence = fence;
        this.state = state;
        this.maxBatchOps = maxBatchOps;
        this.onEnded = onEnded;
        this.filling = new Batch(maxBatchOps);
        this.lastCommitted = state.appliedRevision();
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "leader-loop-" + fence.createRevision());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code decision}; its future completes when its writes are committed, or fails with its refusal. */
    public <R> CompletableFuture<Committed<R>> submit(Decision<R> decision) {
        CompletableFuture<Committed<R>> future = new CompletableFuture<>();
        if (ended.get()) {
            future.completeExceptionally(over());
            return future;
        }
        queue.add(new Task<>(decision, future));
        schedule();
        return future;
    }

    /** The committed state has applied {@code revision}: pending writes it covers are dropped, a retry may go on. */
    public void applied(long revision) {
        if (!ended.get()) {
            execute(() -> {
                pending.applied(revision);
                if (resumeAt > 0 && revision >= resumeAt) {
                    drain();
                }
            });
        }
    }

    /** Ends the loop (leadership lost or replica stopping): every queued and uncommitted decision fails NOT_LEADER. */
    @Override
    public void close() {
        end(over(), false);
        thread.shutdown();
    }

    public boolean isRunning() {
        return !ended.get();
    }

    public Fence fence() {
        return fence;
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                failQueued(over());
            }
        }
    }

    /** Decides what is queued, as far as back-pressure allows, then starts a commit if none is in flight. */
    private void drain() {
        scheduled.set(false);
        if (ended.get()) {
            failQueued(over());
            return;
        }
        long applied = state.appliedRevision();
        pending.applied(applied);
        if (resumeAt > 0) {
            if (applied < resumeAt) {
                return; // applied() drains again once the other writer's change is visible
            }
            resumeAt = 0;
        }
        while (sealed.size() < MAX_SEALED) {
            Task<?> task = retry.isEmpty() ? queue.poll() : retry.poll();
            if (task == null) {
                break;
            }
            decide(task);
        }
        startCommit();
        if ((!queue.isEmpty() || !retry.isEmpty()) && sealed.size() < MAX_SEALED) {
            schedule();
        }
    }

    private <R> void decide(Task<R> task) {
        Context context = new Context();
        try {
            task.value = task.decision.decide(context);
        } catch (RuntimeException e) {
            task.future.completeExceptionally(e);
            return;
        }
        List<StoreOp> ops = context.ops();
        if (ops.isEmpty()) {
            // Nothing to write, but it may have decided on writes not committed yet: it is done when they are. A
            // read-only decision needs no compares: what it read was true when it ran.
            Batch latest = latestWithWrites();
            if (latest == null) {
                task.complete(lastCommitted);
            } else {
                latest.decided.add(task);
            }
            return;
        }
        if (!filling.writes.accepts(ops, context.compares)) {
            if (filling.writes.isEmpty()) {
                task.future.completeExceptionally(FabricException.internal(
                        "a decision wrote %d keys, more than one transaction of %d may hold", ops.size(), maxBatchOps));
                return;
            }
            sealed.add(filling);
            filling = new Batch(maxBatchOps);
        }
        context.compares.forEach(filling.writes::addCompare);
        for (StoreOp op : ops) {
            filling.writes.add(op);
            filling.marks.add(pending.add(op));
        }
        filling.decided.add(task);
    }

    /** The newest batch with writes not committed yet (being filled, sealed or in flight), or null. */
    private Batch latestWithWrites() {
        if (!filling.writes.isEmpty()) {
            return filling;
        }
        Batch newestSealed = null;
        for (Batch batch : sealed) {
            newestSealed = batch;
        }
        return newestSealed != null ? newestSealed : committing;
    }

    private void startCommit() {
        if (committing != null || resumeAt > 0) {
            return;
        }
        Batch next = sealed.poll();
        if (next == null) {
            if (filling.writes.isEmpty()) {
                return;
            }
            next = filling;
            filling = new Batch(maxBatchOps);
        }
        committing = next;
        Batch batch = next;
        List<StoreCompare> compares = new ArrayList<>();
        compares.add(StoreCompare.createRevision(fence.key(), fence.createRevision()));
        compares.addAll(batch.writes.compares());
        store.commit(StoreTxn.of(compares, batch.writes.ops())).orTimeout(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((result, error) -> execute(() -> finished(batch, result, error)));
    }

    private void finished(Batch batch, TxnResult result, Throwable error) {
        if (ended.get()) {
            return; // its decisions were failed when the loop ended
        }
        if (error != null) {
            end(FabricException.unavailable(error, "etcd did not confirm the leader's transaction (%s); its outcome"
                    + " is unknown, so this term ends and the next leader reads etcd afresh", rootMessage(error)),
                    true);
            return;
        }
        if (!result.succeeded()) {
            if (batch.writes.compares().isEmpty()) {
                end(over(), true);
                return;
            }
            // The fence or a decision's compare failed: which one, the leader key tells.
            store.get(fence.key()).orTimeout(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((range, e) -> execute(() -> lostCompare(result.revision(), range, e)));
            return;
        }
        committing = null;
        lastCommitted = result.revision();
        PendingWrites.committed(batch.marks, result.revision());
        for (Task<?> task : batch.decided) {
            task.complete(result.revision());
        }
        drain();
    }

    /**
     * The batch in flight lost a compare. If the term still holds, another writer changed a key it decided on:
     * it and every later batch are decided again, in order, once the state shows etcd at {@code revision}.
     */
    private void lostCompare(long revision, StoreRange leaderKey, Throwable error) {
        if (ended.get()) {
            return;
        }
        boolean stillLeads = error == null && leaderKey.single().map(StoreEntry::createRevision)
                .filter(r -> r == fence.createRevision()).isPresent();
        if (!stillLeads) {
            end(over(), true);
            return;
        }
        List<Task<?>> again = new ArrayList<>(committing.decided);
        sealed.forEach(b -> again.addAll(b.decided));
        again.addAll(filling.decided);
        committing = null;
        sealed.clear();
        filling = new Batch(maxBatchOps);
        pending.clear();
        for (int i = again.size() - 1; i >= 0; i--) {
            Task<?> task = again.get(i);
            if (++task.attempts >= MAX_ATTEMPTS) {
                task.future.completeExceptionally(FabricException.unavailable(
                        "the decision kept conflicting with other writes (%d attempts); retry", task.attempts));
            } else {
                retry.addFirst(task);
            }
        }
        resumeAt = revision;
        drain();
    }

    private void end(RuntimeException why, boolean notify) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        execute(() -> {
            List<Batch> all = new ArrayList<>(sealed);
            all.add(filling);
            if (committing != null) {
                all.add(committing);
            }
            sealed.clear();
            filling = new Batch(maxBatchOps);
            committing = null;
            for (Batch batch : all) {
                for (Task<?> task : batch.decided) {
                    task.future.completeExceptionally(why);
                }
            }
            Task<?> task;
            while ((task = retry.poll()) != null) {
                task.future.completeExceptionally(why);
            }
            pending.clear();
            failQueued(why);
        });
        failQueued(why);
        if (notify && onEnded != null) {
            onEnded.accept(why);
        }
    }

    private void failQueued(RuntimeException why) {
        Task<?> task;
        while ((task = queue.poll()) != null) {
            task.future.completeExceptionally(why);
        }
    }

    /** Runs on the loop thread; once the loop is shut down, runs inline (only to fail what is left). */
    private void execute(Runnable action) {
        try {
            thread.execute(action);
        } catch (RejectedExecutionException e) {
            action.run();
        }
    }

    private static FabricException over() {
        return FabricException.notLeader(null); // this term is over; who leads next is not known here
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /**
     * One decision's view: its own writes over the pending ones over the committed state. Reads that reach the
     * committed state are remembered as compares at the revision read.
     */
    private final class Context implements DecisionContext {
        private final Map<String, StoreOp> own = new LinkedHashMap<>();

        @Override
        public <T> T decoded(Class<T> type, ByteString bytes, java.util.function.Function<ByteString, T> decoder) {
            return type.cast(decodedRecords.computeIfAbsent(new DecodedKey(type, bytes), k -> decoder.apply(bytes)));
        }
        final Map<String, StoreCompare> compares = new LinkedHashMap<>();

        @Override
        public Optional<ByteString> read(String key) {
            StoreOp mine = own.get(key);
            if (mine != null) {
                return mine instanceof StoreOp.Put put ? Optional.of(put.value()) : Optional.empty();
            }
            if (underOwnPrefixDelete(key)) {
                return Optional.empty();
            }
            Optional<Optional<ByteString>> pendingValue = pending.get(key);
            if (pendingValue.isPresent()) {
                return pendingValue.get();
            }
            return CommittedRead.guard(key, state.get(key), compares);
        }

        @Override
        public void write(StoreOp op) {
            if (!(op instanceof StoreOp.DeletePrefix) && underOwnPrefixDelete(op.key())) {
                // etcd cannot put and delete one key in one transaction; such a decision is a bug.
                throw new IllegalArgumentException("a decision cannot write '" + op.key()
                        + "' under a prefix it deletes");
            }
            if (op instanceof StoreOp.DeletePrefix) {
                own.keySet().removeIf(k -> k.startsWith(op.key()));
                own.put("\0prefix:" + op.key(), op);
            } else {
                own.remove(op.key());
                own.put(op.key(), op);
            }
        }

        @Override
        public Map<String, Optional<ByteString>> pendingUnder(String prefix) {
            Map<String, Optional<ByteString>> found = new TreeMap<>(pending.under(prefix));
            for (StoreOp op : own.values()) {
                if (!(op instanceof StoreOp.DeletePrefix) && op.key().startsWith(prefix)) {
                    found.put(op.key(), op instanceof StoreOp.Put put ? Optional.of(put.value()) : Optional.empty());
                }
            }
            return found;
        }

        private boolean underOwnPrefixDelete(String key) {
            return own.values().stream().anyMatch(o -> o instanceof StoreOp.DeletePrefix && key.startsWith(o.key()));
        }

        List<StoreOp> ops() {
            return new ArrayList<>(own.values());
        }
    }
}
