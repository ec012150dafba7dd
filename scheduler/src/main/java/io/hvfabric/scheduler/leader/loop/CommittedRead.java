package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import java.util.Map;
import java.util.Optional;

/** A decision's read of the committed state: its value, and the compare that guards the commit on it. */
final class CommittedRead {
    private CommittedRead() {}

    /** {@code committed}'s value; remembers in {@code compares} that {@code key} must still be as read (or absent). */
    static Optional<ByteString> guard(String key, Optional<StoreEntry> committed, Map<String, StoreCompare> compares) {
        compares.putIfAbsent(key, committed.map(e -> StoreCompare.modRevision(key, e.modRevision()))
                .orElseGet(() -> StoreCompare.absent(key)));
        return committed.map(StoreEntry::value);
    }
}
