package io.hvfabric.scheduler.store.kv;

import java.util.List;

/**
 * A transaction: if every compare holds, the {@code onSuccess} writes are applied, else the {@code onFailure} ones,
 * all at one revision. Like etcd, the compares and each branch number at most {@link ClusterStore#MAX_OPS_PER_TXN},
 * and a branch writes no key twice.
 */
public record StoreTxn(List<StoreCompare> compares, List<StoreOp> onSuccess, List<StoreOp> onFailure) {
    public StoreTxn {
        compares = List.copyOf(compares);
        onSuccess = List.copyOf(onSuccess);
        onFailure = List.copyOf(onFailure);
    }

    public static StoreTxn of(List<StoreCompare> compares, List<StoreOp> onSuccess) {
        return new StoreTxn(compares, onSuccess, List.of());
    }

    /** Its compares or the operations of its larger branch, whichever are more: what etcd's --max-txn-ops limits. */
    public int size() {
        return Math.max(compares.size(), Math.max(onSuccess.size(), onFailure.size()));
    }
}
