package io.hvfabric.scheduler.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.options.LeaseOption;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.EventObject;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.audit.EtcdPerClass;
import io.hvfabric.scheduler.audit.LeaseSlices;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.kv.EtcdClusterStore;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.view.ClusterView;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The event store and the leader's event writer against a real etcd: keys, listing, a watch with no gap, leases. */
@Timeout(60)
class EtcdEventStoreIT {
    private static final Duration RETENTION = Duration.ofHours(24);

    @RegisterExtension
    static final EtcdPerClass ETCD = new EtcdPerClass();
    private Keys keys;
    private EtcdClusterStore kv;
    private EventStore store;

    @BeforeEach
    void freshPrefix() {
        keys = EtcdPerClass.freshKeys();
        kv = new EtcdClusterStore(ETCD.client());
        store = new EventStore(kv, keys, RETENTION, Clock.systemUTC());
    }

    private static Event event(Event.Kind kind, String name, Instant at) {
        return Event.newBuilder().setKind(kind).setTime(Times.timestamp(at))
                .setObject(EventObject.newBuilder().setKind("vsi").setName(name)).build();
    }

    private void write(Event... events) throws Exception {
        kv.commit(StoreTxn.of(List.of(), store.puts(List.of(events)))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void eventsAreKeyedByTimeBoundToALeaseAndListedOldestFirstTheNewestWithinTheLimit() throws Exception {
        Instant t0 = Instant.parse("2026-12-02T10:00:00.000000001Z");
        write(event(Event.Kind.VSI_STARTED, "c", t0.plusSeconds(20)), event(Event.Kind.VSI_CREATED, "a", t0),
                event(Event.Kind.VSI_PLACED, "b", t0.plusNanos(999_999_999)));

        assertThat(store.newest(Instant.EPOCH, 10, e -> true).events()).extracting(e -> e.getObject().getName())
                .containsExactly("a", "b", "c");
        assertThat(store.newest(Instant.EPOCH, 2, e -> true).events()).extracting(e -> e.getObject().getName())
                .containsExactly("b", "c");
        assertThat(store.newest(t0.plusNanos(1), 10, e -> true).events()).extracting(e -> e.getObject().getName())
                .containsExactly("b", "c");
        assertThat(store.newest(Instant.EPOCH, 10, e -> e.getKind() == Event.Kind.VSI_CREATED).events())
                .extracting(e -> e.getObject().getName()).containsExactly("a");

        var kvs = ETCD.client().getKVClient().get(keys.dir(Keys.Kind.EVENT),
                io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).extracting(k -> k.getKey().toString(StandardCharsets.UTF_8))
                .allMatch(k -> k.matches(keys.prefix() + "/events/2026-12-02T10:00:\\d\\d\\.\\d{9}Z-[0-9a-f]{8}"));
        long lease = kvs.get(0).getLease();
        assertThat(kvs).allSatisfy(k -> assertThat(k.getLease()).as("one lease per slice").isEqualTo(lease));
        long granted = ETCD.client().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(10, TimeUnit.SECONDS)
                .getGrantedTTL();
        assertThat(granted).as("retention plus one slice")
                .isEqualTo(RETENTION.plus(LeaseSlices.sliceOf(RETENTION)).toSeconds())
                .isEqualTo(store.leaseTtlSeconds());

        ETCD.client().getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS); // what the lease's expiry does
        assertThat(store.newest(Instant.EPOCH, 10, e -> true).events()).as("gone with their lease").isEmpty();
    }

    /** Events written while a client lists and then watches: each arrives exactly once, in order. */
    @Test
    void aWatchFromTheListingsRevisionLosesAndRepeatsNothing() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get() && i < 400; i++) {
                String name = String.format("e%04d", i);
                try {
                    write(event(Event.Kind.VSI_CREATED, name, Instant.now()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                written.add(name);
            }
        });
        writer.start();
        while (written.size() < 20) {
            Thread.sleep(5);
        }

        EventStore.Listing listing = store.newest(Instant.EPOCH, 1000, e -> true);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        listing.events().forEach(e -> seen.add(e.getObject().getName()));
        CountDownLatch caughtUp = new CountDownLatch(1);
        try (AutoCloseable watch = store.watch(listing.revision() + 1, e -> true, e -> {
            seen.add(e.getObject().getName());
            if (seen.size() >= 400) {
                caughtUp.countDown();
            }
        }, e -> { })) {
            writer.join(30_000);
            writing.set(false);
            assertThat(caughtUp.await(20, TimeUnit.SECONDS)).as("all 400 seen, %d so far", seen.size()).isTrue();
        }
        assertThat(listing.events()).as("the listing had some, the watch the rest").isNotEmpty().hasSizeLessThan(400);
        assertThat(seen).containsExactlyElementsOf(written);
    }

    /** The leader's writer on real etcd: the view stays out of the events, a refused txn (deposed) writes none. */
    @Test
    void theLeaderEmitsFencedAndTheViewIgnoresEvents() throws Exception {
        var leaderKey = keys.of(Keys.Kind.LEADER, "sched-1");
        long term = ETCD.client().getKVClient().put(leaderKey, RecordCodec.encode(LeaderRecord.newBuilder().setId("sched-1")
                .build())).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        try (EventPump pump = new EventPump(kv, keys, store, "sched-1", Clock.systemUTC(), null);
             ClusterView view = new ClusterView(ETCD.client(), keys)) {
            pump.start(new Term("sched-1", "x:1", leaderKey, term, term));
            ETCD.client().getKVClient().put(keys.of(Keys.Kind.VSI, "a-1"), RecordCodec.encode(VsiRecord.newBuilder()
                    .setSpec(VsiSpec.newBuilder().setName("a-1").setTenant("acme")).build())).get(10, TimeUnit.SECONDS);
            List<Event> events = awaitEvents(2);
            assertThat(events).extracting(Event::getKind)
                    .containsExactly(Event.Kind.LEADER_ELECTED, Event.Kind.VSI_CREATED);
            assertThat(events.get(1).getTenant()).isEqualTo("acme");

            view.start();
            assertThat(view.vsi("a-1")).isPresent();
            String eventKey = keys.dir(Keys.Kind.EVENT).toString(StandardCharsets.UTF_8);
            assertThat(view.entry(keys.eventCursor())).as("the cursor is not cluster state").isEmpty();
            String stored = ETCD.client().getKVClient().get(keys.dir(Keys.Kind.EVENT), io.etcd.jetcd.options.GetOption
                    .builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs().get(0).getKey()
                    .toString(StandardCharsets.UTF_8);
            assertThat(view.entry(stored)).as("nor are the events").isEmpty();

            ETCD.client().getKVClient().delete(leaderKey).get(10, TimeUnit.SECONDS); // deposed
            ETCD.client().getKVClient().put(keys.of(Keys.Kind.VSI, "a-2"), RecordCodec.encode(VsiRecord.newBuilder()
                    .setSpec(VsiSpec.newBuilder().setName("a-2")).build())).get(10, TimeUnit.SECONDS);
            Thread.sleep(1500);
            assertThat(store.newest(Instant.EPOCH, 100, e -> true).events()).as("no event after the term")
                    .hasSize(2);
            assertThat(eventKey).startsWith(keys.prefix());
        }
    }

    private List<Event> awaitEvents(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<Event> now = store.newest(Instant.EPOCH, 100, e -> true).events();
        while (now.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = store.newest(Instant.EPOCH, 100, e -> true).events();
        }
        return now;
    }
}
