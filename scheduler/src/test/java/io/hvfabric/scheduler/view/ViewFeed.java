package io.hvfabric.scheduler.view;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds a {@link ClusterView} that has no etcd, through the path the watch takes: each {@link #put} is one committed
 * revision, as etcd would have numbered it (a new key's create revision is its first put's).
 */
public final class ViewFeed {
    private final Keys keys = new Keys(Keys.DEFAULT_PREFIX);
    private final ClusterView view = new ClusterView(null, keys);
    private final Map<String, Long> created = new HashMap<>();
    private long revision;

    public ClusterView view() {
        return view;
    }

    public Keys keys() {
        return keys;
    }

    /** Stores {@code record} under {@code kind/name} at the next revision; returns that revision. */
    public long put(Keys.Kind kind, String name, Message record) {
        revision++;
        ByteSequence key = keys.of(kind, name);
        long createRevision = created.computeIfAbsent(key.toString(), k -> revision);
        io.etcd.jetcd.api.KeyValue kv = io.etcd.jetcd.api.KeyValue.newBuilder()
                .setKey(ByteString.copyFrom(key.getBytes()))
                .setValue(ByteString.copyFrom(RecordCodec.encode(record).getBytes()))
                .setCreateRevision(createRevision)
                .setModRevision(revision)
                .setVersion(1)
                .build();
        view.applyCommitted(List.of(new WatchEvent(new KeyValue(kv, ByteSequence.EMPTY), null,
                WatchEvent.EventType.PUT)), revision);
        return revision;
    }

    /** Applies {@code ops} (puts and deletes of whole keys) as one transaction at the next revision; returns it. */
    public long apply(List<StoreOp> ops) {
        revision++;
        List<WatchEvent> events = new java.util.ArrayList<>();
        for (StoreOp op : ops) {
            ByteSequence key = Keys.bytes(op.key());
            if (op instanceof StoreOp.Put put) {
                long createRevision = created.computeIfAbsent(key.toString(), k -> revision);
                io.etcd.jetcd.api.KeyValue kv = io.etcd.jetcd.api.KeyValue.newBuilder()
                        .setKey(ByteString.copyFrom(key.getBytes()))
                        .setValue(put.value())
                        .setCreateRevision(createRevision)
                        .setModRevision(revision)
                        .setVersion(1)
                        .build();
                events.add(new WatchEvent(new KeyValue(kv, ByteSequence.EMPTY), null, WatchEvent.EventType.PUT));
            } else if (op instanceof StoreOp.Delete) {
                created.remove(key.toString());
                io.etcd.jetcd.api.KeyValue kv = io.etcd.jetcd.api.KeyValue.newBuilder()
                        .setKey(ByteString.copyFrom(key.getBytes()))
                        .setModRevision(revision)
                        .build();
                events.add(new WatchEvent(new KeyValue(kv, ByteSequence.EMPTY), null, WatchEvent.EventType.DELETE));
            } else {
                throw new IllegalArgumentException("the feed applies puts and deletes of whole keys, not " + op);
            }
        }
        view.applyCommitted(events, revision);
        return revision;
    }

    /** Deletes {@code kind/name} at the next revision. */
    public long delete(Keys.Kind kind, String name) {
        revision++;
        ByteSequence key = keys.of(kind, name);
        created.remove(key.toString());
        io.etcd.jetcd.api.KeyValue kv = io.etcd.jetcd.api.KeyValue.newBuilder()
                .setKey(ByteString.copyFrom(key.getBytes()))
                .setModRevision(revision)
                .build();
        view.applyCommitted(List.of(new WatchEvent(new KeyValue(kv, ByteSequence.EMPTY), null,
                WatchEvent.EventType.DELETE)), revision);
        return revision;
    }
}
