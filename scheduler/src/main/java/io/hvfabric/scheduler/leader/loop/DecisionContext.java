package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a decision sees and does: it reads the state with every earlier decision of this term applied (committed or
 * still in flight) and records its writes, which the loop commits together with other decisions' writes.
 */
public interface DecisionContext {
    /** The key as the earlier decisions left it: their pending writes first, then what etcd committed. */
    Optional<ByteString> read(String key);

    /** Queues a write; it is visible to this decision's later reads and to every later decision. */
    void write(StoreOp op);

    /**
     * The writes under {@code prefix} that earlier decisions (and this one) made and the committed state does not
     * show yet: key to value, empty for a delete. For decisions that scan a kind (e.g. anti-affinity groups) and
     * must count what is about to exist.
     */
    Map<String, Optional<ByteString>> pendingUnder(String prefix);

    /**
     * {@code bytes} decoded by {@code decoder} (of type {@code type}); a loop may remember the result, since many
     * decisions decode the same pending records.
     */
    default <T> T decoded(Class<T> type, ByteString bytes, Function<ByteString, T> decoder) {
        return decoder.apply(bytes);
    }
}
