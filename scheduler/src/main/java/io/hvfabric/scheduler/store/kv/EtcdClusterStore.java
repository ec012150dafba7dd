package io.hvfabric.scheduler.store.kv;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link ClusterStore} on a real etcd, through jetcd: a thin translation, no semantics of its own. */
public final class EtcdClusterStore implements ClusterStore {
    private final Client client;

    public EtcdClusterStore(Client client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<StoreRange> get(String key) {
        return client.getKVClient().get(bytes(key)).thenApply(EtcdClusterStore::range);
    }

    @Override
    public CompletableFuture<StoreRange> getPrefix(String prefix, long revision) {
        return getRange(prefix, ClusterStore.prefixEnd(prefix), revision);
    }

    @Override
    public CompletableFuture<StoreRange> getRange(String from, String to, long revision) {
        GetOption option = GetOption.builder().withRange(bytes(to)).withRevision(revision).build();
        return client.getKVClient().get(bytes(from), option).thenApply(EtcdClusterStore::range)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(e)));
    }

    @Override
    public CompletableFuture<TxnResult> commit(StoreTxn txn) {
        Cmp[] compares = txn.compares().stream().map(EtcdClusterStore::compare).toArray(Cmp[]::new);
        return client.getKVClient().txn()
                .If(compares)
                .Then(ops(txn.onSuccess()))
                .Else(ops(txn.onFailure()))
                .commit()
                .thenApply(r -> new TxnResult(r.isSucceeded(), r.getHeader().getRevision()));
    }

    @Override
    public CompletableFuture<Long> grantLease(Duration ttl) {
        // etcd counts leases in whole seconds; rounding up never ends one early.
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        return client.getLeaseClient().grant(seconds).thenApply(r -> r.getID());
    }

    @Override
    public CompletableFuture<Void> keepAlive(long lease) {
        return client.getLeaseClient().keepAliveOnce(lease).thenApply(r -> {
            if (r.getTTL() <= 0) {
                throw new IllegalArgumentException("requested lease not found: " + lease);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> revokeLease(long lease) {
        return client.getLeaseClient().revoke(lease).thenApply(r -> null);
    }

    @Override
    public AutoCloseable watch(String prefix, long fromRevision, StoreWatchListener listener) {
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        Watch.Watcher watcher = client.getWatchClient().watch(bytes(prefix), option,
                Watch.listener(response -> deliver(response, listener), e -> listener.onError(translate(e))));
        return watcher::close;
    }

    @Override
    public void close() {
        client.close();
    }

    /** etcd may batch several revisions in one response; the listener gets them one revision at a time. */
    private static void deliver(WatchResponse response, StoreWatchListener listener) {
        List<StoreEvent> batch = new ArrayList<>();
        long batchRevision = -1;
        for (WatchEvent event : response.getEvents()) {
            long rev = event.getKeyValue().getModRevision();
            if (rev != batchRevision && !batch.isEmpty()) {
                listener.onEvents(List.copyOf(batch), batchRevision);
                batch.clear();
            }
            batchRevision = rev;
            batch.add(event(event));
        }
        if (!batch.isEmpty()) {
            listener.onEvents(List.copyOf(batch), batchRevision);
        }
    }

    private static StoreEvent event(WatchEvent event) {
        StoreEvent.Type type = event.getEventType() == WatchEvent.EventType.DELETE
                ? StoreEvent.Type.DELETE : StoreEvent.Type.PUT;
        return new StoreEvent(type, entry(event.getKeyValue()));
    }

    private static StoreRange range(GetResponse response) {
        return new StoreRange(response.getKvs().stream().map(EtcdClusterStore::entry).toList(),
                response.getHeader().getRevision());
    }

    private static StoreEntry entry(KeyValue kv) {
        return new StoreEntry(kv.getKey().toString(StandardCharsets.UTF_8), ByteString.copyFrom(kv.getValue().getBytes()),
                kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(), kv.getLease());
    }

    /** The jetcd form of a compare. */
    public static Cmp compare(StoreCompare c) {
        Cmp.Op op = switch (c.relation()) {
            case EQUAL -> Cmp.Op.EQUAL;
            case NOT_EQUAL -> Cmp.Op.NOT_EQUAL;
            case GREATER -> Cmp.Op.GREATER;
            case LESS -> Cmp.Op.LESS;
        };
        CmpTarget<?> target = switch (c.target()) {
            case VERSION -> CmpTarget.version(c.number());
            case CREATE_REVISION -> CmpTarget.createRevision(c.number());
            case MOD_REVISION -> CmpTarget.modRevision(c.number());
            case VALUE -> CmpTarget.value(ByteSequence.from(c.value().toByteArray()));
        };
        return new Cmp(bytes(c.key()), op, target);
    }

    private static Op[] ops(List<StoreOp> ops) {
        return ops.stream().map(EtcdClusterStore::op).toArray(Op[]::new);
    }

    /** The jetcd form of a write. */
    public static Op op(StoreOp op) {
        if (op instanceof StoreOp.Put put) {
            PutOption option = put.lease() == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(put.lease()).build();
            return Op.put(bytes(put.key()), ByteSequence.from(put.value().toByteArray()), option);
        }
        if (op instanceof StoreOp.DeletePrefix prefix) {
            return Op.delete(bytes(prefix.key()), DeleteOption.builder().isPrefix(true).build());
        }
        return Op.delete(bytes(op.key()), DeleteOption.DEFAULT);
    }

    private static Throwable translate(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof CompactedException compacted) {
            return new StoreCompactedException(-1, compacted.getCompactedRevision());
        }
        return cause;
    }

    private static ByteSequence bytes(String key) {
        return ByteSequence.from(key, StandardCharsets.UTF_8);
    }
}
