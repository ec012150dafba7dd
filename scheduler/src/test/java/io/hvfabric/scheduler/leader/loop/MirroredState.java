package io.hvfabric.scheduler.leader.loop;

import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreEvent;
import io.hvfabric.scheduler.store.kv.StoreWatchListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/** The committed state as a replica's watch would apply it: read once, then follow the store's watch. */
final class MirroredState implements CommittedState, AutoCloseable {
    private final Map<String, StoreEntry> values = new ConcurrentHashMap<>();
    private final AutoCloseable watch;
    private volatile long revision;
    private volatile LongConsumer onApplied = r -> { };

    MirroredState(ClusterStore store) throws Exception {
        var snapshot = store.getPrefix("/", 0).get();
        for (StoreEntry e : snapshot.entries()) {
            values.put(e.key(), e);
        }
        revision = snapshot.revision();
        watch = store.watch("/", revision + 1, new StoreWatchListener() {
            @Override
            public void onEvents(List<StoreEvent> events, long rev) {
                for (StoreEvent e : events) {
                    if (e.type() == StoreEvent.Type.PUT) {
                        values.put(e.entry().key(), e.entry());
                    } else {
                        values.remove(e.entry().key());
                    }
                }
                revision = rev;
                onApplied.accept(rev);
            }

            @Override
            public void onError(Throwable error) {
                throw new AssertionError("watch failed", error);
            }
        });
    }

    void onApplied(LongConsumer listener) {
        this.onApplied = listener;
    }

    @Override
    public Optional<StoreEntry> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public long appliedRevision() {
        return revision;
    }

    @Override
    public void close() throws Exception {
        watch.close();
    }
}
