package io.hvfabric.scheduler.grpc;

import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.scheduler.audit.AuditStore;
import io.hvfabric.scheduler.store.Times;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Audit records in a list, read back with the etcd store's rule: the newest {@code limit} since a time, oldest first. */
final class MemoryAuditStore implements AuditStore {
    final List<AuditRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void append(AuditRecord record) {
        records.add(record);
    }

    @Override
    public List<AuditRecord> newest(Instant since, int limit) {
        List<AuditRecord> matching = records.stream()
                .filter(r -> !Times.instant(r.getTime()).isBefore(since))
                .sorted(Comparator.comparing(r -> Times.instant(r.getTime())))
                .toList();
        return matching.subList(Math.max(0, matching.size() - limit), matching.size());
    }
}
