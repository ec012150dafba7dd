package io.hvfabric.scheduler.audit;

import io.hvfabric.proto.v1.AuditRecord;
import java.time.Instant;
import java.util.List;

/** Where audit records are kept: etcd in production ({@link EtcdAuditStore}), memory in tests. */
public interface AuditStore {
    /** Stores one record; blocks until stored, throws if it could not be. Called by {@link AuditWriter} only. */
    void append(AuditRecord record);

    /** The newest {@code limit} records received at or after {@code since}, oldest first. */
    List<AuditRecord> newest(Instant since, int limit);
}
