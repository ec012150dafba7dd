package io.hvfabric.scheduler.store.kv;

import io.hvfabric.scheduler.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

class InMemoryClusterStoreTest extends ClusterStoreContract {
    private final ManualClock clock = new ManualClock();
    private final InMemoryClusterStore store = new InMemoryClusterStore(clock);

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    ClusterStore store() {
        return store;
    }

    @Override
    void letLeasesExpire(Duration ttl) {
        clock.advance(ttl);
        store.expireLeases();
    }

    @Override
    void compact(long revision) {
        store.compact(revision);
    }

    @Override
    String p(String key) {
        return "/t/" + key;
    }
}
