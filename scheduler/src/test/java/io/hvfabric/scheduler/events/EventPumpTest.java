package io.hvfabric.scheduler.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.EventCursor;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.kv.InMemoryClusterStore;
import io.hvfabric.scheduler.store.kv.StoreCompare;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leader's event writer on the in-memory store: fenced writes with the cursor, and a new leader's replay. */
@Timeout(30)
class EventPumpTest {
    private static final Keys KEYS = new Keys("/hvf/v1");
    private final ManualClock clock = new ManualClock();
    private final InMemoryClusterStore etcd = new InMemoryClusterStore(clock);
    private final EventStore events = new EventStore(etcd, KEYS, Duration.ofHours(24), clock);
    private EventPump pump;

    @AfterEach
    void stop() {
        if (pump != null) {
            pump.close();
        }
        etcd.close();
    }

    private long put(Keys.Kind kind, String name, Message record) throws Exception {
        return etcd.commit(StoreTxn.of(List.of(), List.of(new StoreOp.Put(key(kind, name),
                ByteString.copyFrom(RecordCodec.encode(record).getBytes()), 0)))).get(5, TimeUnit.SECONDS).revision();
    }

    private static String key(Keys.Kind kind, String name) {
        return KEYS.of(kind, name).toString(StandardCharsets.UTF_8);
    }

    /** An election key for {@code id}, and its term as the election would report it. */
    private Term elect(String id) throws Exception {
        long created = put(Keys.Kind.LEADER, id, LeaderRecord.newBuilder().setId(id).build());
        return new Term(id, id + ":1", KEYS.of(Keys.Kind.LEADER, id), created, created);
    }

    private void resign(Term term) throws Exception {
        etcd.commit(StoreTxn.of(List.of(), List.of(new StoreOp.Delete(term.key().toString(StandardCharsets.UTF_8)))))
                .get(5, TimeUnit.SECONDS);
    }

    private List<Event> stored() {
        return events.newest(Instant.EPOCH, 1000, e -> true).events();
    }

    private List<Event> awaitStored(Predicate<List<Event>> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Event> now = stored();
        while (!done.test(now) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = stored();
        }
        return now;
    }

    private long cursor() throws Exception {
        return etcd.get(KEYS.eventCursor()).get(5, TimeUnit.SECONDS).single()
                .map(e -> RecordCodec.decode(io.etcd.jetcd.ByteSequence.from(e.value().toByteArray()),
                        EventCursor.getDefaultInstance()).getRevision()).orElse(0L);
    }

    private static VsiRecord vsi(String name, String tenant, Vsi.State state) {
        return VsiRecord.newBuilder().setSpec(VsiSpec.newBuilder().setName(name).setTenant(tenant)).setHost("h1")
                .setState(state).build();
    }

    private static Migration migration(Migration.Phase phase) {
        return Migration.newBuilder().setId("m1").setName("a-1").setFrom("h1").setTo("h2").setPhase(phase).build();
    }

    private static List<Event.Kind> kinds(List<Event> events) {
        return events.stream().map(Event::getKind).toList();
    }

    @Test
    void theLeaderWritesEachChangesEventsOnceWithTheCursor() throws Exception {
        Term term = elect("sched-1");
        pump = new EventPump(etcd, KEYS, events, "sched-1", clock, null);
        pump.start(term);
        assertThat(kinds(awaitStored(l -> !l.isEmpty()))).containsExactly(Event.Kind.LEADER_ELECTED);

        long created = put(Keys.Kind.VSI, "a-1", vsi("a-1", "acme", Vsi.State.SCHEDULED));
        put(Keys.Kind.VSI, "a-1", vsi("a-1", "acme", Vsi.State.RUNNING));
        long last = put(Keys.Kind.MIGRATION, "m1", migration(Migration.Phase.PENDING));

        List<Event> all = awaitStored(l -> l.size() >= 5);
        assertThat(kinds(all)).containsExactly(Event.Kind.LEADER_ELECTED, Event.Kind.VSI_CREATED,
                Event.Kind.VSI_PLACED, Event.Kind.VSI_STARTED, Event.Kind.MIGRATION_PHASE);
        assertThat(all).allSatisfy(e -> {
            assertThat(e.getReplica()).isEqualTo("sched-1");
            assertThat(e.getReplayed()).isFalse();
        });
        assertThat(all.get(1).getRevision()).isEqualTo(created);
        assertThat(all.get(4).getTenant()).as("the migrated VSI's tenant").isEqualTo("acme");
        assertThat(all).extracting(e -> e.getTime().getSeconds() * 1_000_000_000L + e.getTime().getNanos())
                .as("strictly increasing times, so keys sort as the events happened").isSorted().doesNotHaveDuplicates();
        assertThat(cursor()).isGreaterThanOrEqualTo(last);
    }

    @Test
    void aDeposedLeaderWritesNothingMore() throws Exception {
        Term term = elect("sched-1");
        pump = new EventPump(etcd, KEYS, events, "sched-1", clock, null);
        pump.start(term);
        awaitStored(l -> !l.isEmpty());
        resign(term);

        put(Keys.Kind.VSI, "a-1", vsi("a-1", "acme", Vsi.State.SCHEDULED));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pump.running() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(pump.running()).as("the run ends with its term").isFalse();
        assertThat(kinds(stored())).containsExactly(Event.Kind.LEADER_ELECTED);
    }

    @Test
    void aNewLeaderReplaysWhatTheOldOneHadNotWrittenAndNothingTwice() throws Exception {
        Term first = elect("sched-1");
        pump = new EventPump(etcd, KEYS, events, "sched-1", clock, null);
        pump.start(first);
        put(Keys.Kind.VSI, "a-1", vsi("a-1", "acme", Vsi.State.SCHEDULED));
        awaitStored(l -> l.size() >= 3);
        pump.close(); // the old leader dies here: the changes below are committed, their events never written

        put(Keys.Kind.MIGRATION, "m1", migration(Migration.Phase.PENDING));
        put(Keys.Kind.MIGRATION, "m1", migration(Migration.Phase.PRECOPY));
        resign(first);
        clock.advance(Duration.ofSeconds(1)); // keys sort by time: the new leader's come after the old one's
        Term second = elect("sched-2");
        pump = new EventPump(etcd, KEYS, events, "sched-2", clock, null);
        pump.start(second);
        put(Keys.Kind.MIGRATION, "m1", migration(Migration.Phase.SWITCHOVER)); // after the election: not replayed

        List<Event> all = awaitStored(l -> l.size() >= 7);
        assertThat(kinds(all)).containsExactly(Event.Kind.LEADER_ELECTED, Event.Kind.VSI_CREATED,
                Event.Kind.VSI_PLACED, Event.Kind.LEADER_ELECTED, Event.Kind.MIGRATION_PHASE,
                Event.Kind.MIGRATION_PHASE, Event.Kind.MIGRATION_PHASE);
        assertThat(all.subList(4, 7)).extracting(e -> e.getFieldsMap().get("phase"))
                .containsExactly("PENDING", "PRECOPY", "SWITCHOVER");
        assertThat(all.subList(4, 7)).extracting(Event::getReplayed).containsExactly(true, true, false);
        assertThat(all.subList(4, 7)).allSatisfy(e -> assertThat(e.getTenant())
                .as("the VSI's tenant, from the records as of the cursor").isEqualTo("acme"));
        assertThat(all.get(3).getReplica()).isEqualTo("sched-2");
    }

    /** NOT_READY is gossip's view: polled each second for the hosts whose lease lives, emitted as seen. */
    @Test
    void gossipUnreachabilityOfALiveHostIsNotReadyAndItsReturnReady() throws Exception {
        java.util.Map<String, String> gossip = new java.util.concurrent.ConcurrentHashMap<>(
                java.util.Map.of("h1", "reachable"));
        Term term = elect("sched-1");
        pump = new EventPump(etcd, KEYS, events, "sched-1", clock, (kind, id) -> gossip.getOrDefault(id, "absent"));
        put(Keys.Kind.ALIVE, "h1", io.hvfabric.proto.v1.AliveRecord.newBuilder().setLeaseId(1).build());
        pump.start(term);
        awaitStored(l -> l.size() >= 2); // elected, h1 READY (its alive key)
        Thread.sleep(1500); // a first look at gossip

        gossip.put("h1", "unreachable");
        List<Event> down = awaitStored(l -> l.size() >= 3);
        gossip.put("h1", "reachable");
        List<Event> back = awaitStored(l -> l.size() >= 4);

        assertThat(kinds(down)).containsExactly(Event.Kind.LEADER_ELECTED, Event.Kind.HOST_READY,
                Event.Kind.HOST_NOT_READY);
        assertThat(down.get(2).getFieldsMap()).containsEntry("membership", "unreachable");
        assertThat(kinds(back)).endsWith(Event.Kind.HOST_NOT_READY, Event.Kind.HOST_READY);
        assertThat(back.get(3).getReplayed()).isFalse();
    }

    @Test
    void eventsAreBoundToRetentionLeases() throws Exception {
        Term term = elect("sched-1");
        pump = new EventPump(etcd, KEYS, events, "sched-1", clock, null);
        pump.start(term);
        awaitStored(l -> !l.isEmpty());
        assertThat(etcd.getPrefix(events.dir(), 0).get(5, TimeUnit.SECONDS).entries())
                .allSatisfy(e -> assertThat(e.lease()).isNotZero());
        pump.close();

        clock.advance(Duration.ofHours(24).plus(Duration.ofSeconds(events.leaseTtlSeconds())));
        etcd.expireLeases();
        assertThat(stored()).as("gone after the retention").isEmpty();
        assertThat(etcd.revision()).isPositive();
        assertThat(etcd.get(KEYS.eventCursor()).get(5, TimeUnit.SECONDS).single()).as("the cursor stays").isPresent();
        assertThat(StoreCompare.absent(KEYS.eventCursor()).holdsFor(null)).isTrue();
    }
}
