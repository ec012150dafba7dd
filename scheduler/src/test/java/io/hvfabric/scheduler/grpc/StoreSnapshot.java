package io.hvfabric.scheduler.grpc;

import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a call could have left in etcd: the store revision (any write moves it, even one that rewrites the same
 * bytes or puts and deletes a key), every key under the prefix with its value and revisions, and the leases (a grant
 * or revoke moves no revision). Two snapshots are equal only if nothing at all was stored in between.
 */
record StoreSnapshot(long revision, Map<String, Stored> keys, Set<Long> leases) {
    /** One key's value and the revisions etcd keeps for it. */
    record Stored(String value, long createRevision, long modRevision, long lease) {}

    static StoreSnapshot of(long revision, List<KeyValue> kvs, Set<Long> leases) {
        Map<String, Stored> keys = new TreeMap<>();
        for (KeyValue kv : kvs) {
            keys.put(kv.getKey().toString(StandardCharsets.UTF_8), new Stored(
                    kv.getValue().toString(StandardCharsets.UTF_8), kv.getCreateRevision(), kv.getModRevision(),
                    kv.getLease()));
        }
        return new StoreSnapshot(revision, Map.copyOf(keys), Set.copyOf(leases));
    }

    /** The same keys and values, whatever the revisions: the state a restore brings back. */
    boolean sameContent(StoreSnapshot other) {
        if (!keys.keySet().equals(other.keys.keySet())) {
            return false;
        }
        return keys.entrySet().stream().allMatch(e -> Objects.equals(e.getValue().value(),
                other.keys.get(e.getKey()).value()) && e.getValue().lease() == other.keys.get(e.getKey()).lease());
    }

    /** What changed from {@code before} to this, one line each, for a failure message. */
    List<String> changesSince(StoreSnapshot before) {
        List<String> changes = new ArrayList<>();
        if (revision != before.revision) {
            changes.add("revision " + before.revision + " -> " + revision);
        }
        Set<String> all = new TreeSet<>(keys.keySet());
        all.addAll(before.keys.keySet());
        for (String key : all) {
            Stored was = before.keys.get(key);
            Stored now = keys.get(key);
            if (was == null) {
                changes.add("+ " + key + " = " + abbreviated(now.value()));
            } else if (now == null) {
                changes.add("- " + key);
            } else if (!was.equals(now)) {
                changes.add("~ " + key + " = " + abbreviated(now.value()));
            }
        }
        if (!leases.equals(before.leases)) {
            changes.add("leases " + before.leases + " -> " + leases);
        }
        return changes;
    }

    private static String abbreviated(String value) {
        return value.length() <= 200 ? value : value.substring(0, 200) + "… (" + value.length() + " chars)";
    }
}
