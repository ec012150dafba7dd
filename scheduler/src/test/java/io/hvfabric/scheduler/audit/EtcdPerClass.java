package io.hvfabric.scheduler.audit;

import io.etcd.jetcd.Client;
import io.hvfabric.scheduler.store.Keys;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd ({@link LocalEtcd}) for a whole test class, with its client, removed after the class whatever
 * happened; each test takes {@link #freshKeys} so tests sharing it never see each other's records.
 * Use: {@code @RegisterExtension static final EtcdPerClass ETCD = new EtcdPerClass();}
 */
public final class EtcdPerClass implements BeforeAllCallback, AfterAllCallback {
    private LocalEtcd etcd;
    private Client client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        etcd = LocalEtcd.start();
        client = etcd.client();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (etcd != null) {
                etcd.close();
            }
        }
    }

    public Client client() {
        return client;
    }

    /** The fabric's keys under a prefix of this moment's own. */
    public static Keys freshKeys() {
        return new Keys("/t" + System.nanoTime() + "/hvf/v1");
    }
}
