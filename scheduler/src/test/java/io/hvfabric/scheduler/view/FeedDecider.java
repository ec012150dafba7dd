package io.hvfabric.scheduler.view;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.leader.loop.Decider;
import io.hvfabric.scheduler.leader.loop.Decision;
import io.hvfabric.scheduler.leader.loop.DecisionContext;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The leader loop's contract over a {@link ViewFeed}, for unit tests: a decision reads the view (every read
 * remembered with the revision it saw), and its writes are applied to the feed as one revision only if every key it
 * read is still as it was, else it is decided again. {@link #holdCommits} and {@link #commit} let a test interleave
 * decisions that read the same state, as two replicas' (or terms') decisions would.
 */
public final class FeedDecider implements Decider {
    private static final int MAX_ATTEMPTS = 5;

    /** A decision decided but not committed: its value, its writes, and what it read at which mod revision. */
    public static final class Made<R> {
        private final R value;
        private final Map<String, StoreOp> ops;
        private final Map<String, Long> read;

        private Made(R value, Map<String, StoreOp> ops, Map<String, Long> read) {
            this.value = value;
            this.ops = ops;
            this.read = read;
        }

        public R value() {
            return value;
        }
    }

    private final ViewFeed feed;
    private final List<Made<?>> held = new ArrayList<>();
    private boolean holding;

    public FeedDecider(ViewFeed feed) {
        this.feed = feed;
    }

    /**
     * From now on, decisions are made but not committed ({@link #held} keeps them), as decisions of two terms or
     * replicas that read the same state before either committed.
     */
    public void holdCommits() {
        holding = true;
    }

    /** The decisions made while holding, in order; committing stays the test's (see {@link #commit}). */
    public List<Made<?>> held() {
        holding = false;
        return List.copyOf(held);
    }

    @Override
    public <R> R decide(Term term, Decision<R> decision) {
        if (holding) {
            Made<R> made = make(decision);
            held.add(made);
            return made.value();
        }
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Made<R> made = make(decision);
            if (commit(made)) {
                return made.value();
            }
        }
        throw FabricException.unavailable("the decision kept conflicting with other writes; retry");
    }

    /** Decides against the feed's state now; a refusal throws, as from the loop. */
    public <R> Made<R> make(Decision<R> decision) {
        Map<String, StoreOp> ops = new LinkedHashMap<>();
        Map<String, Long> read = new LinkedHashMap<>();
        R value = decision.decide(new DecisionContext() {
            @Override
            public Optional<ByteString> read(String key) {
                StoreOp mine = ops.get(key);
                if (mine != null) {
                    return mine instanceof StoreOp.Put put ? Optional.of(put.value()) : Optional.empty();
                }
                Optional<StoreEntry> committed = feed.view().entry(key);
                read.putIfAbsent(key, committed.map(StoreEntry::modRevision).orElse(0L));
                return committed.map(StoreEntry::value);
            }

            @Override
            public void write(StoreOp op) {
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
        });
        return new Made<>(value, ops, read);
    }

    /** Applies {@code made}'s writes if every key it read is unchanged; whether it did. */
    public boolean commit(Made<?> made) {
        for (Map.Entry<String, Long> r : made.read.entrySet()) {
            long now = feed.view().entry(r.getKey()).map(StoreEntry::modRevision).orElse(0L);
            if (now != r.getValue()) {
                return false;
            }
        }
        if (!made.ops.isEmpty()) {
            feed.apply(new ArrayList<>(made.ops.values()));
        }
        return true;
    }
}
