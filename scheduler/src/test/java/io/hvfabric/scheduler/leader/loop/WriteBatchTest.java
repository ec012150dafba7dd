package io.hvfabric.scheduler.leader.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A group commit stays within etcd's limits: operations per transaction and bytes per request. */
class WriteBatchTest {
    private static final ByteString HUNDRED_KIB = ByteString.copyFrom(new byte[100 * 1024]);

    @Test
    void aBatchTakesWritesUntilTheRequestWouldExceedItsByteLimit() {
        WriteBatch batch = new WriteBatch(ClusterStore.MAX_OPS_PER_TXN);
        int taken = 0;
        while (batch.accepts(List.of(StoreOp.put("/k/" + taken, HUNDRED_KIB)), Map.of())) {
            batch.add(StoreOp.put("/k/" + taken, HUNDRED_KIB));
            taken++;
        }
        assertThat(taken).isEqualTo(10); // 10 × 100 KiB fit in 1 MiB; the 11th would not
        // Rewriting a key already in the batch replaces its bytes rather than adding to them.
        assertThat(batch.accepts(List.of(StoreOp.put("/k/0", ByteString.copyFromUtf8("small"))), Map.of())).isTrue();
    }

    @Test
    void aSingleLargeDecisionStillGetsABatchOfItsOwn() {
        WriteBatch batch = new WriteBatch(ClusterStore.MAX_OPS_PER_TXN);
        ByteString big = ByteString.copyFrom(new byte[WriteBatch.MAX_BYTES + 1]);
        assertThat(batch.accepts(List.of(StoreOp.put("/big", big)), Map.of())).isTrue();
    }

    @Test
    void aBatchHoldsAtMostItsOperationLimit() {
        WriteBatch batch = new WriteBatch(4);
        for (int i = 0; i < 4; i++) {
            batch.add(StoreOp.put("/k/" + i, ByteString.copyFromUtf8("v")));
        }
        assertThat(batch.accepts(List.of(StoreOp.put("/k/9", ByteString.copyFromUtf8("v"))), Map.of())).isFalse();
    }
}
