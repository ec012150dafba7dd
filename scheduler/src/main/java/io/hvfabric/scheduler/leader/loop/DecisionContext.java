package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.Optional;

/**
 * What a decision sees and does: it reads the state with every earlier decision of this term applied (committed or
 * still in flight) and records its writes, which the loop commits together with other decisions' writes.
 */
public interface DecisionContext {
    /** The key as the earlier decisions left it: their pending writes first, then what etcd committed. */
    Optional<ByteString> read(String key);

    /** Queues a write; it is visible to this decision's later reads and to every later decision. */
    void write(StoreOp op);
}
