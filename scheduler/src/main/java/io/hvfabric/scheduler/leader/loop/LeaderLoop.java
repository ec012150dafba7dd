package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.store.kv.TxnResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The leader's one writer for one term, in the shape of Kafka's KRaft controller: every write operation is a
 * {@link Decision} run on this loop's single thread against the committed state plus the writes of the decisions
 * before it; their writes are group-committed, many decisions in one transaction fenced by the term's key, while
 * the next decisions are already being made. One transaction is in flight at a time, so etcd applies the batches in
 * the order they were decided. A decision's future completes once its batch has committed.
 *
 * <p>A transaction whose fence fails means the term is over: everything queued or in flight fails NOT_LEADER and the
 * loop stops. So does a transaction whose outcome is unknown (etcd unreachable, timed out): the state it may have
 * written can only be learned by reading etcd afresh, which a new term does.
 */
public final class LeaderLoop implements AutoCloseable {
    /** The term's election key and its create revision: every batch compares it. */
    public record Fence(String key, long createRevision) {}

    private record Task<R>(Decision<R> decision, CompletableFuture<Committed<R>> future) {}

    /** A decided task awaiting its batch's commit. */
    private record Decided<R>(Task<R> task, R value) {
        void complete(long revision) {
            task.future().complete(new Committed<>(value, revision));
        }
    }

    private static final class Batch {
        final WriteBatch writes;
        final List<Decided<?>> decided = new ArrayList<>();
        final List<PendingWrites.Pending> marks = new ArrayList<>();

        Batch(int maxOps) {
            writes = new WriteBatch(maxOps);
        }
    }

    private static final long COMMIT_TIMEOUT_SECONDS = 10;
    /** Sealed batches waiting behind the one in flight before the loop stops deciding (back-pressure). */
    private static final int MAX_SEALED = 2;

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
    private final Queue<Batch> sealed = new ArrayDeque<>();
    private Batch filling;
    private boolean inFlight;
    private Batch committing;
    private long lastCommitted;

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

    /** The committed state has applied {@code revision}: the pending writes it covers are no longer needed. */
    public void applied(long revision) {
        if (!ended.get()) {
            thread.execute(() -> pending.applied(revision));
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

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
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
        pending.applied(state.appliedRevision());
        while (sealed.size() < MAX_SEALED) {
            Task<?> task = queue.poll();
            if (task == null) {
                break;
            }
            decide(task);
        }
        startCommit();
        if (!queue.isEmpty() && sealed.size() < MAX_SEALED) {
            schedule();
        }
    }

    private <R> void decide(Task<R> task) {
        Context context = new Context();
        R value;
        try {
            value = task.decision().decide(context);
        } catch (RuntimeException e) {
            task.future().completeExceptionally(e);
            return;
        }
        List<StoreOp> ops = context.ops();
        if (ops.isEmpty()) {
            // Nothing to write, but it may have decided on writes not committed yet: it is done when they are.
            Batch latest = latestWithWrites();
            if (latest == null) {
                task.future().complete(new Committed<>(value, lastCommitted));
            } else {
                latest.decided.add(new Decided<>(task, value));
            }
            return;
        }
        if (!filling.writes.accepts(ops)) {
            if (filling.writes.isEmpty()) {
                task.future().completeExceptionally(FabricException.internal(
                        "a decision wrote %d keys, more than one transaction of %d may hold", ops.size(), maxBatchOps));
                return;
            }
            sealed.add(filling);
            filling = new Batch(maxBatchOps);
        }
        for (StoreOp op : ops) {
            filling.writes.add(op);
            filling.marks.add(pending.add(op));
        }
        filling.decided.add(new Decided<>(task, value));
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
        if (inFlight) {
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
        inFlight = true;
        committing = next;
        Batch batch = next;
        StoreTxn txn = StoreTxn.of(List.of(StoreCompare.createRevision(fence.key(), fence.createRevision())),
                batch.writes.ops());
        store.commit(txn).orTimeout(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((result, error) -> execute(() -> finished(batch, result, error)));
    }

    private void finished(Batch batch, TxnResult result, Throwable error) {
        inFlight = false;
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
            end(over(), true);
            return;
        }
        committing = null;
        lastCommitted = result.revision();
        PendingWrites.committed(batch.marks, result.revision());
        for (Decided<?> decided : batch.decided) {
            decided.complete(result.revision());
        }
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
            for (Batch batch : all) {
                for (Decided<?> decided : batch.decided) {
                    decided.task().future().completeExceptionally(why);
                }
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
            task.future().completeExceptionally(why);
        }
    }

    /** Runs on the loop thread; once the loop is shut down, runs inline (only to fail what is left). */
    private void execute(Runnable action) {
        try {
            thread.execute(action);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            action.run();
        }
    }

    private FabricException over() {
        return FabricException.notLeader(null); // this term is over; who leads next is not known here
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** One decision's view: its own writes over the pending ones over the committed state. */
    private final class Context implements DecisionContext {
        private final Map<String, StoreOp> own = new LinkedHashMap<>();

        @Override
        public Optional<ByteString> read(String key) {
            StoreOp mine = own.get(key);
            if (mine != null) {
                return mine instanceof StoreOp.Put put ? Optional.of(put.value()) : Optional.empty();
            }
            for (StoreOp op : own.values()) {
                if (op instanceof StoreOp.DeletePrefix && key.startsWith(op.key())) {
                    return Optional.empty();
                }
            }
            Optional<Optional<ByteString>> pendingValue = pending.get(key);
            return pendingValue.isPresent() ? pendingValue.get() : state.get(key);
        }

        @Override
        public void write(StoreOp op) {
            if (!(op instanceof StoreOp.DeletePrefix) && own.values().stream()
                    .anyMatch(o -> o instanceof StoreOp.DeletePrefix && op.key().startsWith(o.key()))) {
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

        List<StoreOp> ops() {
            return new ArrayList<>(own.values());
        }
    }
}
