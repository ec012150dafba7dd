package io.hvfabric.scheduler.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AuditRecord;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AuditWriterTest {
    private static AuditRecord record(String object) {
        return AuditRecord.newBuilder().setMethod("CreateVsi").setObject(object).setCode("OK").build();
    }

    /** A store that blocks each append until released, then keeps the record, or fails when told to. */
    private static final class GatedStore implements AuditStore {
        final List<AuditRecord> stored = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        volatile boolean failing;

        @Override
        public void append(AuditRecord record) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw FabricException.unavailable("etcd: connection refused");
            }
            stored.add(record);
        }

        @Override
        public List<AuditRecord> newest(Instant since, int limit) {
            return stored;
        }
    }

    @Test
    void recordsAreWrittenInOrderOffTheCallersThread() throws Exception {
        GatedStore store = new GatedStore();
        try (AuditWriter writer = new AuditWriter(store, 10, new PrometheusRegistry())) {
            writer.submit(record("a"));
            writer.submit(record("b"));
            assertThat(store.entered.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(store.stored).as("submit returned while the store was still busy").isEmpty();

            store.release.countDown();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(store.stored).extracting(AuditRecord::getObject).containsExactly("a", "b"));
            assertThat(writer.dropped(AuditWriter.QUEUE_FULL) + writer.dropped(AuditWriter.WRITE_FAILED)).isZero();
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        GatedStore store = new GatedStore();
        try (AuditWriter writer = new AuditWriter(store, 1, new PrometheusRegistry())) {
            writer.submit(record("taken"));
            assertThat(store.entered.await(5, TimeUnit.SECONDS)).isTrue(); // the writer holds "taken"
            writer.submit(record("queued"));
            writer.submit(record("dropped"));

            assertThat(writer.dropped(AuditWriter.QUEUE_FULL)).isEqualTo(1);
            store.release.countDown();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(store.stored).extracting(AuditRecord::getObject).containsExactly("taken", "queued"));
        }
    }

    @Test
    void aFailedWriteIsCountedAndTheNextOneStillTried() throws Exception {
        GatedStore store = new GatedStore();
        store.failing = true;
        store.release.countDown();
        try (AuditWriter writer = new AuditWriter(store, 10, new PrometheusRegistry())) {
            writer.submit(record("lost"));
            await().atMost(Duration.ofSeconds(5)).until(() -> writer.dropped(AuditWriter.WRITE_FAILED) == 1);

            store.failing = false;
            writer.submit(record("kept"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(store.stored).extracting(AuditRecord::getObject).containsExactly("kept"));
        }
    }

    @Test
    void closeWritesWhatIsQueued() throws Exception {
        GatedStore store = new GatedStore();
        store.release.countDown();
        AuditWriter writer = new AuditWriter(store, 10, new PrometheusRegistry());
        for (int i = 0; i < 5; i++) {
            writer.submit(record("r" + i));
        }
        writer.close();

        assertThat(store.stored).hasSize(5);
        writer.submit(record("late"));
        assertThat(writer.dropped(AuditWriter.QUEUE_FULL)).isEqualTo(1);
    }
}
