package io.hvfabric.scheduler.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.view.ClusterView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The etcd audit store against a real etcd: key layout, reading back, lease binding, and the view staying out. */
@Timeout(60)
class EtcdAuditStoreIT {
    private static final Duration RETENTION = Duration.ofHours(7);
    private static final Instant T0 = Instant.parse("2025-01-31T12:00:05.000000001Z");

    @RegisterExtension
    static final EtcdPerClass ETCD = new EtcdPerClass();
    private Keys keys;
    private EtcdAuditStore store;

    /** Each test under a prefix of its own. */
    @BeforeEach
    void freshPrefix() {
        keys = EtcdPerClass.freshKeys();
        store = new EtcdAuditStore(ETCD.client(), keys, RETENTION);
    }

    private static AuditRecord at(Instant time, String object) {
        return AuditRecord.newBuilder().setTime(Times.timestamp(time)).setMethod("CreateVsi").setObject(object)
                .setCode("OK").build();
    }

    private List<KeyValue> auditKeys() throws Exception {
        return ETCD.client().getKVClient().get(keys.dir(Keys.Kind.AUDIT), GetOption.builder().isPrefix(true).build())
                .get(10, TimeUnit.SECONDS).getKvs();
    }

    @Test
    void recordsComeBackInTimeOrderTheNewestWithinTheLimit() {
        store.append(at(T0.plusSeconds(20), "c"));
        store.append(at(T0, "a"));
        store.append(at(T0.plusNanos(999_999_999), "b")); // sorts by time, not by the digits' count

        assertThat(store.newest(Instant.EPOCH, 10)).extracting(AuditRecord::getObject).containsExactly("a", "b", "c");
        assertThat(store.newest(Instant.EPOCH, 2)).extracting(AuditRecord::getObject).containsExactly("b", "c");
        assertThat(store.newest(T0.plusNanos(1), 10)).extracting(AuditRecord::getObject).containsExactly("b", "c");
        assertThat(store.newest(T0.plusSeconds(21), 10)).isEmpty();
    }

    @Test
    void eachRecordIsKeyedByTimeAndBoundToItsSlicesLease() throws Exception {
        store.append(at(T0, "a"));
        store.append(at(T0, "b")); // the same nanosecond: the random suffix keeps both

        List<KeyValue> kvs = auditKeys();
        assertThat(kvs).hasSize(2);
        assertThat(kvs).extracting(kv -> kv.getKey().toString())
                .allMatch(k -> k.matches(keys.prefix() + "/audit/2025-01-31T12:00:05\\.000000001Z-[0-9a-f]{8}"));
        assertThat(kvs).extracting(kv -> RecordCodec.decode(kv.getValue(), AuditRecord.getDefaultInstance()))
                .extracting(AuditRecord::getObject).containsExactlyInAnyOrder("a", "b");
        long lease = kvs.get(0).getLease();
        assertThat(lease).isNotZero();
        assertThat(kvs.get(1).getLease()).as("one lease per slice").isEqualTo(lease);
        long granted = ETCD.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(10, TimeUnit.SECONDS)
                .getGrantedTTL();
        assertThat(granted).isEqualTo(RETENTION.plus(LeaseSlices.sliceOf(RETENTION)).toSeconds())
                .isEqualTo(store.leaseTtlSeconds());
    }

    @Test
    void aWriteOnALostLeaseFailsOnceThenANewLeaseIsTaken() throws Exception {
        store.append(at(T0, "a"));
        long lease = auditKeys().get(0).getLease();
        ETCD.client().getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS); // also deletes "a"

        assertThatThrownBy(() -> store.append(at(T0, "lost"))).isInstanceOf(FabricException.class);
        store.append(at(T0, "b"));

        assertThat(auditKeys()).singleElement().satisfies(kv -> assertThat(kv.getLease()).isNotIn(0L, lease));
    }

    /** The view reads the keys on both sides of the audit records (alive/ sorts before audit/, hosts/ after it). */
    @Test
    void theViewReadsEverythingButTheAuditRecords() throws Exception {
        ETCD.client().getKVClient().put(keys.of(Keys.Kind.ALIVE, "h1"), RecordCodec.encode(AliveRecord.newBuilder()
                .setLeaseId(7).build())).get(10, TimeUnit.SECONDS);
        ETCD.client().getKVClient().put(keys.of(Keys.Kind.HOST, "h1"), RecordCodec.encode(HostRecord.newBuilder()
                .setId("h1").build())).get(10, TimeUnit.SECONDS);
        store.append(at(T0, "a"));

        try (ClusterView view = new ClusterView(ETCD.client(), keys)) {
            view.start();
            assertThat(view.hosts()).extracting(v -> v.value().getId()).containsExactly("h1");
            assertThat(view.alive("h1")).get().extracting(v -> v.value().getLeaseId()).isEqualTo(7L);
        }
    }
}
