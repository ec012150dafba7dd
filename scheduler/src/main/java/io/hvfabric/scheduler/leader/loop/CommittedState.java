package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import java.util.Optional;

/**
 * What etcd has committed, as this replica's watch has applied it so far: the state decisions start from. Only the
 * watch changes it, so it may lag the leader's own commits; the loop covers the lag with its pending writes.
 */
public interface CommittedState {
    /** The key's value as applied, if present. */
    Optional<ByteString> get(String key);

    /** The etcd revision the state has applied up to. */
    long appliedRevision();
}
