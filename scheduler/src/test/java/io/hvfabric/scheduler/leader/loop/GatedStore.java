package io.hvfabric.scheduler.leader.loop;

import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreRange;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.store.kv.StoreWatchListener;
import io.hvfabric.scheduler.store.kv.TxnResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A store whose commits wait until the test lets them through, as slow round trips would: decisions pile up behind
 * the one in flight, so batching can be seen. Records every transaction it was given.
 */
final class GatedStore implements ClusterStore {
    private final ClusterStore inner;
    private final Semaphore gate = new Semaphore(0);
    private volatile boolean open;
    private volatile RuntimeException failure;
    final List<StoreTxn> commits = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.ExecutorService committer = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gated-commit");
        t.setDaemon(true);
        return t;
    });

    GatedStore(ClusterStore inner) {
        this.inner = inner;
    }

    /** Lets {@code n} commits through. */
    void release(int n) {
        gate.release(n);
    }

    /** Lets every commit through from now on. */
    void open() {
        if (!open) {
            open = true;
            gate.release(Integer.MAX_VALUE / 2);
        }
    }

    /** The next commits fail with {@code e} instead of reaching the store. */
    void failWith(RuntimeException e) {
        failure = e;
    }

    int waiting() {
        return gate.getQueueLength();
    }

    @Override
    public CompletableFuture<TxnResult> commit(StoreTxn txn) {
        commits.add(txn);
        return CompletableFuture.supplyAsync(() -> {
            if (!open) {
                gate.acquireUninterruptibly();
            }
            if (failure != null) {
                throw failure;
            }
            return inner.commit(txn).join();
        }, committer);
    }

    @Override
    public CompletableFuture<StoreRange> get(String key) {
        return inner.get(key);
    }

    @Override
    public CompletableFuture<StoreRange> getPrefix(String prefix, long revision) {
        return inner.getPrefix(prefix, revision);
    }

    @Override
    public CompletableFuture<StoreRange> getRange(String from, String to, long revision) {
        return inner.getRange(from, to, revision);
    }

    @Override
    public CompletableFuture<Long> grantLease(Duration ttl) {
        return inner.grantLease(ttl);
    }

    @Override
    public CompletableFuture<Void> keepAlive(long lease) {
        return inner.keepAlive(lease);
    }

    @Override
    public CompletableFuture<Void> revokeLease(long lease) {
        return inner.revokeLease(lease);
    }

    @Override
    public AutoCloseable watch(String prefix, long fromRevision, StoreWatchListener listener) {
        return inner.watch(prefix, fromRevision, listener);
    }

    @Override
    public void close() {
        open();
        committer.shutdown();
        inner.close();
    }
}
