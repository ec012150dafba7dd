package io.hvfabric.scheduler.leader.loop;

import io.hvfabric.scheduler.store.kv.StoreEntry;
import java.util.Optional;

/**
 * What etcd has committed, as this replica's watch has applied it so far: the state decisions start from. Only the
 * watch changes it, so it may lag the leader's own commits; the loop covers the lag with its pending writes.
 */
public interface CommittedState {
    /** The key as applied (its value and mod revision), if present. */
    Optional<StoreEntry> get(String key);

    /** The etcd revision the state has applied up to. */
    long appliedRevision();
}
