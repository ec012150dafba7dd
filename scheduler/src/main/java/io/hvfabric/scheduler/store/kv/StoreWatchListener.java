package io.hvfabric.scheduler.store.kv;

import java.util.List;

/** Receives a watch's changes, one call per revision and in revision order, on one thread at a time. */
public interface StoreWatchListener {
    /** The changes committed at {@code revision} under the watched prefix. */
    void onEvents(List<StoreEvent> events, long revision);

    /**
     * The watch ended without being closed: the store was compacted past its start ({@link StoreCompactedException})
     * or the connection was lost. The watcher must read afresh and watch again.
     */
    void onError(Throwable error);
}
