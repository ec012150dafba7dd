package io.hvfabric.scheduler.store.kv;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The scheduler's only way to its state: etcd's model of a revisioned key space with transactions of compares and
 * writes, leases, and watches from a revision. {@link EtcdClusterStore} is the real one; {@link InMemoryClusterStore}
 * keeps the same semantics on a manual clock so that the controllers can be tested in-process.
 *
 * <p>Every method is asynchronous, so a caller can pipeline commits instead of waiting for each round trip.
 */
public interface ClusterStore extends AutoCloseable {
    /** etcd's default {@code --max-txn-ops}: the most operations one transaction branch may hold. */
    int MAX_OPS_PER_TXN = 128;

    /** The key, if present, at the current revision. */
    CompletableFuture<StoreRange> get(String key);

    /** Every key starting with {@code prefix}, sorted, at {@code revision} (0: the current one). */
    CompletableFuture<StoreRange> getPrefix(String prefix, long revision);

    /** Every key in [{@code from}, {@code to}), sorted, at {@code revision} (0: the current one). */
    CompletableFuture<StoreRange> getRange(String from, String to, long revision);

    /** Applies the branch the compares choose, atomically; fails for an oversized or self-contradicting transaction. */
    CompletableFuture<TxnResult> commit(StoreTxn txn);

    /** A new lease that expires {@code ttl} after its last keep-alive; returns its id. */
    CompletableFuture<Long> grantLease(Duration ttl);

    /** Restarts the lease's time to live; fails if it has expired (its keys are gone). */
    CompletableFuture<Void> keepAlive(long lease);

    /** Ends the lease now, deleting every key bound to it. */
    CompletableFuture<Void> revokeLease(long lease);

    /**
     * Reports every change under {@code prefix} from {@code fromRevision} on (changes already committed first, in
     * order). Closing the returned handle stops it.
     */
    AutoCloseable watch(String prefix, long fromRevision, StoreWatchListener listener);

    @Override
    void close();

    /** The first key after every key that starts with {@code prefix}: the end of a prefix range. */
    static String prefixEnd(String prefix) {
        char[] chars = prefix.toCharArray();
        for (int i = chars.length - 1; i >= 0; i--) {
            if (chars[i] < Character.MAX_VALUE) {
                chars[i]++;
                return new String(chars, 0, i + 1);
            }
        }
        return "\0"; // etcd's "to the end of the key space"
    }
}
