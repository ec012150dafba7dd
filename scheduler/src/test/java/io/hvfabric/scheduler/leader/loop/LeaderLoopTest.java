package io.hvfabric.scheduler.leader.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.scheduler.store.kv.InMemoryClusterStore;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.testing.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeaderLoopTest {
    private static final String LEADER_KEY = "/hvf/leader/sched-1";

    private final InMemoryClusterStore etcd = new InMemoryClusterStore(new ManualClock());
    private final GatedStore store = new GatedStore(etcd);
    private final List<Throwable> ended = new CopyOnWriteArrayList<>();
    private MirroredState state;
    private LeaderLoop loop;

    @BeforeEach
    void elect() throws Exception {
        long term = etcd.commit(StoreTxn.of(List.of(), List.of(StoreOp.put(LEADER_KEY, bytes("sched-1")))))
                .get().revision();
        state = new MirroredState(store);
        loop = new LeaderLoop(store, new LeaderLoop.Fence(LEADER_KEY, term), state, 8, ended::add);
        state.onApplied(loop::applied);
    }

    @AfterEach
    void close() throws Exception {
        loop.close();
        state.close();
        store.close();
    }

    @Test
    void decisionsSeeTheWritesOfEarlierOnesBeforeTheyCommitAndAreGroupCommitted() throws Exception {
        List<CompletableFuture<Committed<Long>>> increments = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            increments.add(loop.submit(this::increment));
        }
        // The first batch waits in flight while the others are decided behind it.
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.waiting() == 1);
        store.open();

        List<Long> seen = new ArrayList<>();
        for (CompletableFuture<Committed<Long>> f : increments) {
            seen.add(f.get(5, TimeUnit.SECONDS).value());
        }
        assertThat(seen).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList());
        assertThat(etcd.get("/counter").get().single().orElseThrow().value().toStringUtf8()).isEqualTo("50");
        // One transaction for the first decision, then batches of what queued behind each commit.
        assertThat(store.commits.size()).isLessThan(10);
        assertThat(store.commits).allSatisfy(txn -> assertThat(txn.onSuccess()).hasSize(1));
    }

    @Test
    void batchesNeverExceedTheirSizeAndKeepTheOrderOfDecisions() throws Exception {
        List<CompletableFuture<Committed<String>>> writes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String key = "/k/" + i;
            writes.add(loop.submit(c -> {
                c.write(StoreOp.put(key, bytes("v")));
                return key;
            }));
        }
        store.open();
        long previous = 0;
        for (CompletableFuture<Committed<String>> f : writes) {
            long revision = f.get(5, TimeUnit.SECONDS).revision();
            assertThat(revision).isGreaterThanOrEqualTo(previous);
            previous = revision;
        }
        assertThat(store.commits).allSatisfy(txn -> assertThat(txn.onSuccess().size()).isLessThanOrEqualTo(8));
        assertThat(etcd.getPrefix("/k/", 0).get().entries()).hasSize(30);
    }

    @Test
    void aRefusedDecisionWritesNothingAndTheOthersGoOn() throws Exception {
        store.open();
        CompletableFuture<Committed<Long>> first = loop.submit(this::increment);
        CompletableFuture<Committed<Object>> refused = loop.submit(c -> {
            c.write(StoreOp.put("/counter", bytes("999")));
            throw FabricException.resourceExhausted("no host can take it");
        });
        CompletableFuture<Committed<Long>> second = loop.submit(this::increment);

        assertThat(first.get(5, TimeUnit.SECONDS).value()).isEqualTo(1);
        assertThat(second.get(5, TimeUnit.SECONDS).value()).isEqualTo(2);
        assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("no host can take it");
        assertThat(ended).isEmpty();
    }

    @Test
    void aDecisionThatWritesNothingCompletesOnlyWhenTheWritesItSawHaveCommitted() throws Exception {
        CompletableFuture<Committed<Long>> write = loop.submit(this::increment);
        CompletableFuture<Committed<Long>> read = loop.submit(c -> counter(c));
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.waiting() == 1);
        Thread.sleep(100);
        assertThat(read).isNotDone();

        store.release(1);
        assertThat(read.get(5, TimeUnit.SECONDS).value()).isEqualTo(1);
        assertThat(read.get().revision()).isEqualTo(write.get().revision());
    }

    @Test
    void aPrefixDeleteAndALaterWriteUnderItLandInOrder() throws Exception {
        store.open();
        loop.submit(c -> {
            c.write(StoreOp.put("/d/a", bytes("1")));
            c.write(StoreOp.put("/d/b", bytes("2")));
            return null;
        }).get(5, TimeUnit.SECONDS);
        CompletableFuture<Committed<Object>> wipe = loop.submit(c -> {
            c.write(StoreOp.deletePrefix("/d/"));
            return null;
        });
        CompletableFuture<Committed<String>> again = loop.submit(c -> {
            assertThat(c.read("/d/a")).isEmpty();
            c.write(StoreOp.put("/d/a", bytes("3")));
            return "ok";
        });
        again.get(5, TimeUnit.SECONDS);
        assertThat(wipe.get().revision()).isLessThan(again.get().revision());
        assertThat(etcd.getPrefix("/d/", 0).get().entries()).extracting(e -> e.key() + "=" + e.value().toStringUtf8())
                .containsExactly("/d/a=3");
    }

    @Test
    void whenTheFenceFailsEveryQueuedAndUncommittedDecisionFailsNotLeaderAndNothingIsWritten() throws Exception {
        CompletableFuture<Committed<Long>> inFlight = loop.submit(this::increment);
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.waiting() == 1);
        List<CompletableFuture<Committed<Long>>> behind = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            behind.add(loop.submit(this::increment));
        }
        // Another replica wins: the leader key is replaced, so its create revision changes.
        etcd.commit(StoreTxn.of(List.of(), List.of(StoreOp.delete(LEADER_KEY)))).get();
        etcd.commit(StoreTxn.of(List.of(), List.of(StoreOp.put(LEADER_KEY, bytes("sched-2"))))).get();
        store.open();

        assertNotLeader(inFlight);
        behind.forEach(LeaderLoopTest::assertNotLeader);
        assertNotLeader(loop.submit(this::increment));
        assertThat(ended).hasSize(1);
        assertThat(loop.isRunning()).isFalse();
        assertThat(etcd.get("/counter").get().entries()).isEmpty();
    }

    @Test
    void aWriteFromOutsideTheLoopIsNeverOverwrittenTheDecisionsOnItAreMadeAgain() throws Exception {
        CompletableFuture<Committed<Long>> first = loop.submit(this::increment);
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.waiting() == 1);
        CompletableFuture<Committed<Long>> second = loop.submit(this::increment);
        // Another writer (e.g. a compare-and-swap outside the loop) sets the counter meanwhile.
        etcd.commit(StoreTxn.of(List.of(), List.of(StoreOp.put("/counter", bytes("100"))))).get();
        store.open();

        assertThat(first.get(5, TimeUnit.SECONDS).value()).isEqualTo(101);
        assertThat(second.get(5, TimeUnit.SECONDS).value()).isEqualTo(102);
        assertThat(etcd.get("/counter").get().single().orElseThrow().value().toStringUtf8()).isEqualTo("102");
        assertThat(ended).isEmpty();
        assertThat(loop.isRunning()).isTrue();
    }

    @Test
    void aCommitWhoseOutcomeIsUnknownEndsTheTerm() {
        store.failWith(new IllegalStateException("connection reset"));
        store.open();
        CompletableFuture<Committed<Long>> write = loop.submit(this::increment);
        assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("outcome is unknown");
        await().atMost(5, TimeUnit.SECONDS).until(() -> ended.size() == 1);
        assertNotLeader(loop.submit(this::increment));
    }

    @Test
    void closingFailsWhatIsLeft() {
        CompletableFuture<Committed<Long>> inFlight = loop.submit(this::increment);
        await().atMost(5, TimeUnit.SECONDS).until(() -> store.waiting() == 1);
        CompletableFuture<Committed<Long>> queued = loop.submit(this::increment);
        loop.close();
        assertNotLeader(inFlight);
        assertNotLeader(queued);
        assertThat(ended).as("close is not an unexpected end").isEmpty();
    }

    private long increment(DecisionContext c) {
        long next = counter(c) + 1;
        c.write(StoreOp.put("/counter", bytes(Long.toString(next))));
        return next;
    }

    private static long counter(DecisionContext c) {
        return c.read("/counter").map(v -> Long.parseLong(v.toStringUtf8())).orElse(0L);
    }

    private static void assertNotLeader(CompletableFuture<?> future) {
        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(FabricException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER));
    }

    private static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
