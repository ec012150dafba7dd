package io.hvfabric.scheduler;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.ReplicaRecord;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps this replica's lease-bound presence key, so `cluster status` lists live replicas only. */
final class ReplicaPresence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaPresence.class);

    private final Client client;
    private final Keys keys;
    private final ReplicaRecord record;
    private final Duration ttl;
    private final Thread thread;
    private volatile boolean closed;

    ReplicaPresence(Client client, Keys keys, ReplicaRecord record, Duration ttl) {
        this.client = client;
        this.keys = keys;
        this.record = record;
        this.ttl = ttl;
        this.thread = new Thread(this::run, "replica-presence");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (!closed) {
            CloseableClient keepAlive = null;
            try {
                long lease = client.getLeaseClient().grant(ttl.toSeconds()).get(10, TimeUnit.SECONDS).getID();
                var lost = new java.util.concurrent.CompletableFuture<Void>();
                keepAlive = client.getLeaseClient().keepAlive(lease, new StreamObserver<>() {
                    @Override
                    public void onNext(LeaseKeepAliveResponse r) {
                        if (r.getTTL() <= 0) {
                            lost.complete(null);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        lost.complete(null);
                    }

                    @Override
                    public void onCompleted() {
                        lost.complete(null);
                    }
                });
                client.getKVClient()
                        .put(keys.of(Keys.Kind.SCHEDULER, record.getId()), RecordCodec.encode(record),
                                PutOption.builder().withLeaseId(lease).build())
                        .get(10, TimeUnit.SECONDS);
                lost.get();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("replica presence lost: {}", e.toString());
                }
            } finally {
                if (keepAlive != null) {
                    keepAlive.close();
                }
            }
            sleep();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
