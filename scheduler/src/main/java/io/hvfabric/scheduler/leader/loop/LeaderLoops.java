package io.hvfabric.scheduler.leader.loop;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.view.ClusterView;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * This replica's leader loop, one per term it leads: started when it is elected, closed when it is deposed (which
 * fails whatever that term had in flight). Callers on gRPC threads hand it decisions and wait for their commit and
 * for the view to show it, so the caller's next read sees its own write.
 */
public final class LeaderLoops implements Decider, AutoCloseable {
    /** etcd's --max-txn-ops: the most writes one group commit may carry. */
    private static final int MAX_BATCH_OPS = ClusterStore.MAX_OPS_PER_TXN;
    private static final long DECISION_TIMEOUT_SECONDS = 15;
    private static final long VIEW_WAIT_MS = 5000;

    private final ClusterStore store;
    private final ClusterView view;
    private final Consumer<Term> onLoopEnded;
    private volatile LeaderLoop current;
    private volatile Term currentTerm;

    /** {@code onLoopEnded} is told when a term's loop ended by itself (fence lost, or a commit's outcome unknown). */
    public LeaderLoops(ClusterStore store, ClusterView view, Consumer<Term> onLoopEnded) {
        this.store = store;
        this.view = view;
        this.onLoopEnded = onLoopEnded;
        view.addListener(revision -> {
            LeaderLoop loop = current;
            if (loop != null) {
                loop.applied(revision);
            }
        });
    }

    public synchronized void start(Term term) {
        stop();
        LeaderLoop.Fence fence = new LeaderLoop.Fence(term.key().toString(StandardCharsets.UTF_8), term.revision());
        CommittedState state = new CommittedState() {
            @Override
            public Optional<StoreEntry> get(String key) {
                return view.entry(key);
            }

            @Override
            public long appliedRevision() {
                return view.revision();
            }
        };
        current = new LeaderLoop(store, fence, state, MAX_BATCH_OPS, why -> onLoopEnded.accept(term));
        currentTerm = term;
    }

    /** Ends the loop of {@code term}, if it is the current one. */
    public synchronized void stop(Term term) {
        if (currentTerm != null && currentTerm.revision() == term.revision()) {
            stop();
        }
    }

    private void stop() {
        LeaderLoop loop = current;
        current = null;
        currentTerm = null;
        if (loop != null) {
            loop.close();
        }
    }

    /**
     * Runs {@code decision} on {@code term}'s loop and returns its result once committed and applied by the view.
     * NOT_LEADER if this replica does not lead {@code term} (any more); the decision's own refusal as it threw it.
     */
    @Override
    public <R> R decide(Term term, Decision<R> decision) {
        LeaderLoop loop = current;
        Term running = currentTerm;
        if (loop == null || running == null || running.revision() != term.revision()) {
            throw FabricException.notLeader(null);
        }
        try {
            Committed<R> committed = loop.submit(decision).get(DECISION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            view.awaitRevision(committed.revision(), VIEW_WAIT_MS);
            return committed.value();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException refusal) {
                throw refusal;
            }
            throw FabricException.internal(e.getCause(), "decision failed: %s", e.getCause());
        } catch (TimeoutException e) {
            throw FabricException.unavailable("the leader's decision was not committed within %d s; retry",
                    DECISION_TIMEOUT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable("interrupted while waiting for the leader's decision");
        }
    }

    @Override
    public synchronized void close() {
        stop();
    }
}
