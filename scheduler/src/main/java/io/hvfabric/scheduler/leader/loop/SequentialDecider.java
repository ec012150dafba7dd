package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.kv.EtcdClusterStore;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decisions one at a time on the caller's thread, each its own fenced transaction over {@link FencedWriter}, with
 * the compares of what it read: the same contract as {@link LeaderLoops} without its batching, for tests that run
 * one operation against a fake or a recorded etcd.
 */
public final class SequentialDecider implements Decider {
    private static final int MAX_ATTEMPTS = 5;
    private static final long VIEW_WAIT_MS = 5000;

    private final ClusterView view;
    private final FencedWriter writer;

    public SequentialDecider(ClusterView view, FencedWriter writer) {
        this.view = view;
        this.writer = writer;
    }

    @Override
    public synchronized <R> R decide(Term term, Decision<R> decision) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Context context = new Context();
            R value = decision.decide(context);
            if (context.ops.isEmpty()) {
                return value;
            }
            FencedWriter.Outcome outcome = writer.commit(term,
                    context.compares.values().stream().map(EtcdClusterStore::compare).toList(),
                    context.ops.values().stream().map(EtcdClusterStore::op).toList());
            view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
            if (outcome.committed()) {
                return value;
            }
        }
        throw FabricException.unavailable("the decision kept conflicting with other writes; retry");
    }

    private final class Context implements DecisionContext {
        final Map<String, StoreOp> ops = new LinkedHashMap<>();
        final Map<String, StoreCompare> compares = new LinkedHashMap<>();

        @Override
        public Optional<ByteString> read(String key) {
            StoreOp mine = ops.get(key);
            if (mine != null) {
                return mine instanceof StoreOp.Put put ? Optional.of(put.value()) : Optional.empty();
            }
            return CommittedRead.guard(key, view.entry(key), compares);
        }

        @Override
        public void write(StoreOp op) {
            if (op instanceof StoreOp.DeletePrefix) {
                throw new IllegalArgumentException("prefix deletes are not decided sequentially");
            }
            ops.remove(op.key());
            ops.put(op.key(), op);
        }

        @Override
        public Map<String, Optional<ByteString>> pendingUnder(String prefix) {
            Map<String, Optional<ByteString>> found = new LinkedHashMap<>();
            ops.forEach((k, op) -> {
                if (k.startsWith(prefix)) {
                    found.put(k, op instanceof StoreOp.Put put ? Optional.of(put.value()) : Optional.empty());
                }
            });
            return found;
        }
    }
}
