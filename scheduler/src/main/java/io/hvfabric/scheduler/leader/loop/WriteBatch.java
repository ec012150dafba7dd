package io.hvfabric.scheduler.leader.loop;

import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes of several decisions, to commit as one transaction. etcd refuses a transaction that writes a key twice,
 * so a later write of a key replaces the earlier one (only the final value matters), and a prefix delete drops the
 * writes it covers; a write under a prefix this batch deletes cannot be merged and must go in the next batch. The
 * compares of every decision (the committed keys it read, at the revisions it read them) guard the whole batch.
 */
final class WriteBatch {
    /**
     * The most bytes of keys and values one batch carries: etcd refuses requests over {@code --max-request-bytes}
     * (1.5 MiB by default); the rest is left for the compares and the request's framing.
     */
    static final int MAX_BYTES = 1 << 20;

    private final int maxOps;
    private long bytes;
    private final Map<String, StoreOp> byKey = new LinkedHashMap<>();
    private final List<StoreOp.DeletePrefix> prefixes = new ArrayList<>();
    private final Map<String, StoreCompare> compares = new LinkedHashMap<>();

    WriteBatch(int maxOps) {
        if (maxOps < 1 || maxOps > ClusterStore.MAX_OPS_PER_TXN) {
            throw new IllegalArgumentException("maxOps must be in 1.." + ClusterStore.MAX_OPS_PER_TXN);
        }
        this.maxOps = maxOps;
    }

    /**
     * Whether all of {@code ops} and {@code compares} can join this batch without exceeding etcd's limits (the
     * fence and the compares count against the same limit as the writes) or contradicting it.
     */
    boolean accepts(List<StoreOp> ops, Map<String, StoreCompare> compares) {
        int newCompares = 0;
        for (Map.Entry<String, StoreCompare> c : compares.entrySet()) {
            StoreCompare mine = this.compares.get(c.getKey());
            if (mine == null) {
                newCompares++;
            } else if (!mine.equals(c.getValue())) {
                return false; // decided on another revision of the key than an earlier decision of this batch
            }
        }
        if (1 + this.compares.size() + newCompares > ClusterStore.MAX_OPS_PER_TXN) {
            return false;
        }
        int added = 0;
        long addedBytes = 0;
        for (StoreOp op : ops) {
            addedBytes += bytes(op);
            if (!(op instanceof StoreOp.DeletePrefix) && underDeletedPrefix(op.key())) {
                return false;
            }
            if (op instanceof StoreOp.DeletePrefix || !byKey.containsKey(op.key())) {
                added++;
            }
        }
        // A batch's first decision is taken whatever its size: alone, it is etcd's to refuse.
        return size() + added <= maxOps && (isEmpty() || this.bytes + addedBytes <= MAX_BYTES);
    }

    /** A compare on a key read from the committed state: the batch commits only if the key is still as read. */
    void addCompare(String key, StoreCompare compare) {
        compares.putIfAbsent(key, compare);
    }

    List<StoreCompare> compares() {
        return new ArrayList<>(compares.values());
    }

    void add(StoreOp op) {
        bytes += bytes(op);
        if (op instanceof StoreOp.DeletePrefix prefix) {
            byKey.keySet().removeIf(k -> k.startsWith(prefix.key()));
            prefixes.add(prefix);
        } else {
            StoreOp replaced = byKey.remove(op.key()); // re-inserted last: the final writes follow the decisions'
            if (replaced != null) {
                bytes -= bytes(replaced);
            }
            byKey.put(op.key(), op);
        }
    }

    List<StoreOp> ops() {
        List<StoreOp> ops = new ArrayList<>(byKey.values());
        ops.addAll(prefixes);
        return ops;
    }

    int size() {
        return byKey.size() + prefixes.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** What the op adds to the request: its key and value (an upper bound where a prefix delete drops writes). */
    private static long bytes(StoreOp op) {
        return op.key().length() + (op instanceof StoreOp.Put put ? put.value().size() : 0);
    }

    private boolean underDeletedPrefix(String key) {
        return prefixes.stream().anyMatch(p -> key.startsWith(p.key()));
    }
}
