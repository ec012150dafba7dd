package io.hvfabric.scheduler.store.kv;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * One key as the store holds it, with etcd's bookkeeping: the revision that created it, the revision of its last
 * change, how many times it was written since creation, and the lease it is bound to (0 for none).
 */
public record StoreEntry(String key, ByteString value, long createRevision, long modRevision, long version,
                         long lease) {
    public StoreEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
