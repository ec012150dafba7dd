package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The leader's writes that the watch has not applied yet, newest last: decided, being committed, or committed at
 * a revision the committed state has not reached. Reads see them over the committed state, so a decision never
 * decides on a picture older than the previous decision's.
 */
final class PendingWrites {
    /** A key's pending value: {@code null} for a delete. {@code revision} 0 until its batch commits. */
    static final class Pending {
        final ByteString value;
        long revision;

        Pending(ByteString value) {
            this.value = value;
        }
    }

    /** Per key, the newest pending write (later ones replace earlier ones: only the last value matters). */
    private final TreeMap<String, Pending> byKey = new TreeMap<>();
    /** The prefixes deleted by pending writes, for keys committed under them that have no pending write. */
    private final Map<String, Pending> deletedPrefixes = new HashMap<>();

    /**
     * The pending value: {@code Optional.of(Optional.empty())} for a pending delete, empty when nothing is pending
     * for the key.
     */
    Optional<Optional<ByteString>> get(String key) {
        Pending own = byKey.get(key);
        if (own != null) {
            return Optional.of(Optional.ofNullable(own.value));
        }
        for (String prefix : deletedPrefixes.keySet()) {
            if (key.startsWith(prefix)) {
                return Optional.of(Optional.empty());
            }
        }
        return Optional.empty();
    }

    /**
     * Records {@code op} as pending; the returned mark is its batch's, so that a later write of the same key (in a
     * later batch) is not taken as committed when this one's batch commits.
     */
    Pending add(StoreOp op) {
        Pending pending;
        if (op instanceof StoreOp.Put put) {
            pending = new Pending(put.value());
            byKey.put(put.key(), pending);
        } else if (op instanceof StoreOp.DeletePrefix prefix) {
            byKey.subMap(prefix.key(), true, ClusterStore.prefixEnd(prefix.key()), false).clear();
            pending = new Pending(null);
            deletedPrefixes.put(prefix.key(), pending);
        } else {
            pending = new Pending(null);
            byKey.put(op.key(), pending);
        }
        return pending;
    }

    /** A batch's writes committed at {@code revision}: they stay visible until the state has applied it. */
    static void committed(List<Pending> batch, long revision) {
        for (Pending pending : batch) {
            pending.revision = revision;
        }
    }

    /** Forgets the writes the committed state has caught up with. */
    void applied(long revision) {
        prune(byKey.values().iterator(), revision);
        prune(deletedPrefixes.values().iterator(), revision);
    }

    /** The pending single-key writes under {@code prefix}: key to value, empty for a delete. */
    Map<String, Optional<ByteString>> under(String prefix) {
        Map<String, Optional<ByteString>> found = new TreeMap<>();
        byKey.subMap(prefix, true, ClusterStore.prefixEnd(prefix), false)
                .forEach((k, p) -> found.put(k, Optional.ofNullable(p.value)));
        return found;
    }

    void clear() {
        byKey.clear();
        deletedPrefixes.clear();
    }

    boolean isEmpty() {
        return byKey.isEmpty() && deletedPrefixes.isEmpty();
    }

    private static void prune(Iterator<Pending> pending, long revision) {
        while (pending.hasNext()) {
            Pending p = pending.next();
            if (p.revision != 0 && p.revision <= revision) {
                pending.remove();
            }
        }
    }

    /** A copy of the pending keys, for tests and diagnostics. */
    List<String> keys() {
        List<String> keys = new ArrayList<>(byKey.keySet());
        keys.addAll(deletedPrefixes.keySet());
        return keys;
    }
}
