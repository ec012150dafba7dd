package io.hvfabric.scheduler.audit;

import io.hvfabric.proto.v1.AuditRecord;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit records to their store on a thread of its own, so an audited call never waits for etcd and never fails
 * because of its audit record. The queue is bounded: a record that finds it full, or whose write fails, is dropped,
 * logged and counted in {@code hvf_audit_dropped_total{reason}} ({@code queue_full}, {@code write_failed}), which is
 * what to alert on.
 */
public final class AuditWriter implements AutoCloseable {
    public static final int DEFAULT_CAPACITY = 10_000;
    static final String QUEUE_FULL = "queue_full";
    static final String WRITE_FAILED = "write_failed";
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    private static final long DRAIN_ON_CLOSE_SECONDS = 3;
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AuditStore store;
    private final BlockingQueue<AuditRecord> queue;
    private final Counter dropped;
    private final AtomicLong droppedSinceLog = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final Thread thread;
    private volatile boolean closing;

    public AuditWriter(AuditStore store, int capacity, PrometheusRegistry registry) {
        this.store = store;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.dropped = Counter.builder()
                .name("hvf_audit_dropped_total")
                .help("audit records lost: the write queue was full, or etcd refused or timed out the write")
                .labelNames("reason")
                .register(registry);
        dropped.labelValues(QUEUE_FULL);
        dropped.labelValues(WRITE_FAILED);
        this.thread = new Thread(this::run, "audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code record} for writing; never blocks, never throws. */
    public void submit(AuditRecord record) {
        if (closing || !queue.offer(record)) {
            drop(QUEUE_FULL, record, closing ? "the writer is closing" : "the queue is full");
        }
    }

    /** Records dropped so far for {@code reason}. */
    long dropped(String reason) {
        return (long) dropped.labelValues(reason).get();
    }

    private void run() {
        while (!closing || !queue.isEmpty()) {
            AuditRecord record;
            try {
                record = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (record == null) {
                continue;
            }
            try {
                store.append(record);
            } catch (RuntimeException e) {
                drop(WRITE_FAILED, record, e.getMessage());
            }
        }
    }

    /** Counted every time; logged at most every 10 s with the count since the last line, so an etcd outage is one line. */
    private void drop(String reason, AuditRecord record, String why) {
        dropped.labelValues(reason).inc();
        long count = droppedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= LOG_EVERY_NANOS && lastLogNanos.compareAndSet(last, now)) {
            droppedSinceLog.addAndGet(-count);
            LOG.warn("audit record dropped ({}: {}): {} by {}/{} on '{}' -> {}; {} dropped since the last such line",
                    reason, why, record.getMethod(), record.getPrincipal().getRole(), record.getPrincipal().getName(),
                    record.getObject(), record.getCode(), count);
        }
    }

    /** Writes what is queued (for at most 3 s), then stops. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        thread.join(TimeUnit.SECONDS.toMillis(DRAIN_ON_CLOSE_SECONDS));
        thread.interrupt();
    }
}
