package io.hvfabric.scheduler.store.kv;

import io.hvfabric.scheduler.audit.LocalEtcd;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** The store contract against a real etcd: the in-memory twin's semantics are etcd's only if both pass it. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EtcdClusterStoreIT extends ClusterStoreContract {
    private static LocalEtcd etcd;
    private static EtcdClusterStore store;
    private final String prefix = "/t-" + UUID.randomUUID() + "/";

    @BeforeAll
    static void start() throws Exception {
        etcd = LocalEtcd.start();
        store = new EtcdClusterStore(etcd.client());
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @Override
    ClusterStore store() {
        return store;
    }

    /** etcd's lessor checks expiry about every half second, after the ttl in whole seconds. */
    @Override
    void letLeasesExpire(Duration ttl) throws InterruptedException {
        Thread.sleep(ttl.toMillis() + 1500);
    }

    @Override
    void compact(long revision) throws Exception {
        try (var client = etcd.client()) {
            client.getKVClient().compact(revision).get(10, TimeUnit.SECONDS);
        }
    }

    @Override
    String p(String key) {
        return prefix + key;
    }
}
