package io.hvfabric.scheduler.audit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Audit records in etcd under {@code {prefix}/audit/<time>-<random>}: the receive time, fixed width so that keys sort
 * as times do, then 8 random hex digits so two replicas' records of the same nanosecond never collide. Each record
 * is bound to its time slice's lease ({@link LeaseSlices}), which bounds retention. Written as an observation of
 * the replica that received the call: a plain put, not fenced by any term.
 */
public final class EtcdAuditStore implements AuditStore {
    static final DateTimeFormatter KEY_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final long TIMEOUT_SECONDS = 10;

    private final Client client;
    private final Keys keys;
    private final LeaseSlices leases;

    public EtcdAuditStore(Client client, Keys keys, Duration retention) {
        this(client, keys, retention, Clock.systemUTC());
    }

    EtcdAuditStore(Client client, Keys keys, Duration retention, Clock clock) {
        this.client = client;
        this.keys = keys;
        this.leases = new LeaseSlices(client.getLeaseClient(), retention, clock);
    }

    /** The TTL of each lease granted: retention plus one slice. */
    long leaseTtlSeconds() {
        return leases.ttlSeconds();
    }

    @Override
    public void append(AuditRecord record) {
        String suffix = String.format("%08x", ThreadLocalRandom.current().nextInt());
        ByteSequence key = keys.of(Keys.Kind.AUDIT, KEY_TIME.format(Times.instant(record.getTime())) + "-" + suffix);
        long lease = leases.current();
        try {
            await(client.getKVClient().put(key, RecordCodec.encode(record),
                    PutOption.builder().withLeaseId(lease).build()));
        } catch (RuntimeException e) {
            leases.forget(lease);
            throw e;
        }
    }

    @Override
    public List<AuditRecord> newest(Instant since, int limit) {
        ByteSequence dir = keys.dir(Keys.Kind.AUDIT);
        ByteSequence from = keys.of(Keys.Kind.AUDIT, KEY_TIME.format(since));
        // Newest first from etcd (so the limit keeps the newest), then turned around for reading.
        List<KeyValue> kvs = await(client.getKVClient().get(from, GetOption.builder()
                .withRange(Keys.prefixEnd(dir))
                .withSortField(GetOption.SortTarget.KEY)
                .withSortOrder(GetOption.SortOrder.DESCEND)
                .withLimit(limit)
                .build())).getKvs();
        List<AuditRecord> records = new ArrayList<>(kvs.size());
        for (KeyValue kv : kvs) {
            records.add(RecordCodec.decode(kv.getValue(), AuditRecord.getDefaultInstance()));
        }
        Collections.reverse(records);
        return records;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable(e, "interrupted while talking to etcd");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw FabricException.unavailable(cause, "etcd: %s", cause.getMessage());
        }
    }
}
