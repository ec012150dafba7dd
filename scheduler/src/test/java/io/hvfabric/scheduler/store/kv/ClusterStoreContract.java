package io.hvfabric.scheduler.store.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterStore} must do, as etcd does it. Run against the in-memory store in the unit tests and
 * against a real etcd in {@code EtcdClusterStoreIT}, so the twin cannot drift from the real thing.
 */
abstract class ClusterStoreContract {
    /** A store with nothing under {@link #p}. */
    abstract ClusterStore store();

    /** Lets {@code ttl} (and a margin) pass so that leases granted for it expire. */
    abstract void letLeasesExpire(Duration ttl) throws Exception;

    abstract void compact(long revision) throws Exception;

    /** A key under this test's own prefix. */
    abstract String p(String key);

    @Test
    void writesMoveTheRevisionAndKeepEtcdsBookkeeping() throws Exception {
        ClusterStore store = store();
        long first = commit(store, List.of(), List.of(StoreOp.put(p("a"), bytes("1")))).revision();
        StoreEntry created = store.get(p("a")).get().single().orElseThrow();
        assertThat(created.createRevision()).isEqualTo(first);
        assertThat(created.modRevision()).isEqualTo(first);
        assertThat(created.version()).isEqualTo(1);

        long second = commit(store, List.of(), List.of(StoreOp.put(p("a"), bytes("2")))).revision();
        StoreEntry updated = store.get(p("a")).get().single().orElseThrow();
        assertThat(second).isEqualTo(first + 1);
        assertThat(updated).isEqualTo(new StoreEntry(p("a"), bytes("2"), first, second, 2, 0));
    }

    @Test
    void comparesChooseTheBranchAndAMissingKeyHasRevisionsZeroAndNoValue() throws Exception {
        ClusterStore store = store();
        TxnResult created = commit(store, List.of(StoreCompare.absent(p("k"))), List.of(StoreOp.put(p("k"),
                bytes("v"))));
        assertThat(created.succeeded()).isTrue();

        TxnResult lost = store.commit(new StoreTxn(List.of(StoreCompare.modRevision(p("k"), created.revision() - 1)),
                List.of(StoreOp.put(p("k"), bytes("lost"))), List.of(StoreOp.put(p("else"), bytes("ran"))))).get();
        assertThat(lost.succeeded()).isFalse();
        assertThat(value(store, p("k"))).isEqualTo("v");
        assertThat(value(store, p("else"))).isEqualTo("ran");

        assertThat(commit(store, List.of(StoreCompare.modRevision(p("none"), 0)), List.of()).succeeded()).isTrue();
        assertThat(commit(store, List.of(StoreCompare.createRevision(p("none"), 0)), List.of()).succeeded()).isTrue();
        assertThat(commit(store, List.of(new StoreCompare(p("none"), StoreCompare.Target.VALUE,
                StoreCompare.Relation.NOT_EQUAL, 0, bytes("x"))), List.of()).succeeded()).isFalse();
        assertThat(commit(store, List.of(StoreCompare.valueEquals(p("k"), bytes("v"))), List.of()).succeeded())
                .isTrue();
        assertThat(commit(store, List.of(new StoreCompare(p("k"), StoreCompare.Target.VERSION,
                StoreCompare.Relation.GREATER, 0, null)), List.of()).succeeded()).isTrue();
    }

    @Test
    void aTransactionThatChangesNothingKeepsTheRevision() throws Exception {
        ClusterStore store = store();
        long before = commit(store, List.of(), List.of(StoreOp.put(p("x"), bytes("1")))).revision();
        TxnResult noop = commit(store, List.of(), List.of(StoreOp.delete(p("missing"))));
        assertThat(noop.revision()).isEqualTo(before);
    }

    @Test
    void rangesPrefixesPrefixDeletesAndReadsAtAPastRevision() throws Exception {
        ClusterStore store = store();
        commit(store, List.of(), List.of(StoreOp.put(p("d/1"), bytes("1")), StoreOp.put(p("d/2"), bytes("2")),
                StoreOp.put(p("e/1"), bytes("3"))));
        long before = store.getPrefix(p(""), 0).get().revision();
        assertThat(keys(store.getPrefix(p("d/"), 0).get())).containsExactly(p("d/1"), p("d/2"));
        assertThat(keys(store.getRange(p("d/2"), p("e/2"), 0).get())).containsExactly(p("d/2"), p("e/1"));

        long deleted = commit(store, List.of(), List.of(StoreOp.deletePrefix(p("d/")))).revision();
        assertThat(deleted).isEqualTo(before + 1);
        assertThat(keys(store.getPrefix(p(""), 0).get())).containsExactly(p("e/1"));
        assertThat(keys(store.getPrefix(p(""), before).get())).containsExactly(p("d/1"), p("d/2"), p("e/1"));
    }

    @Test
    void oversizedOrSelfContradictingTransactionsAreRefusedAndWriteNothing() throws Exception {
        ClusterStore store = store();
        List<StoreOp> tooMany = IntStream.rangeClosed(0, ClusterStore.MAX_OPS_PER_TXN)
                .mapToObj(i -> (StoreOp) StoreOp.put(p("many/" + i), bytes("v"))).toList();
        assertThatThrownBy(() -> commit(store, List.of(), tooMany)).hasMessageContaining("too many operations");
        List<StoreOp> justEnough = tooMany.subList(0, ClusterStore.MAX_OPS_PER_TXN);
        commit(store, List.of(), justEnough);
        assertThat(store.getPrefix(p("many/"), 0).get().entries()).hasSize(ClusterStore.MAX_OPS_PER_TXN);

        assertThatThrownBy(() -> commit(store, List.of(), List.of(StoreOp.put(p("dup"), bytes("1")),
                StoreOp.put(p("dup"), bytes("2"))))).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> commit(store, List.of(), List.of(StoreOp.put(p("dup"), bytes("1")),
                StoreOp.delete(p("dup"))))).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> commit(store, List.of(), List.of(StoreOp.put(p("leased"), bytes("1"), 424242))))
                .hasMessageContaining("lease not found");
        assertThat(store.get(p("dup")).get().entries()).isEmpty();
        assertThat(store.get(p("leased")).get().entries()).isEmpty();
    }

    @Test
    void aWatchReplaysFromItsRevisionThenFollowsOneRevisionAtATime() throws Exception {
        ClusterStore store = store();
        long first = commit(store, List.of(), List.of(StoreOp.put(p("w/a"), bytes("1")))).revision();
        commit(store, List.of(), List.of(StoreOp.put(p("w/b"), bytes("2")), StoreOp.put(p("other"), bytes("x"))));
        List<String> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable watch = store.watch(p("w/"), first, listener(seen))) {
            long third = commit(store, List.of(), List.of(StoreOp.delete(p("w/a")))).revision();
            await().atMost(10, TimeUnit.SECONDS).until(() -> seen.size() == 3);
            assertThat(seen).containsExactly(
                    first + ":PUT " + p("w/a") + "=1",
                    (first + 1) + ":PUT " + p("w/b") + "=2",
                    third + ":DELETE " + p("w/a") + "@" + third);
        }
    }

    @Test
    void revokingOrLettingALeaseExpireDeletesItsKeys() throws Exception {
        ClusterStore store = store();
        long revoked = store.grantLease(Duration.ofSeconds(30)).get();
        long expiring = store.grantLease(Duration.ofSeconds(1)).get();
        commit(store, List.of(), List.of(StoreOp.put(p("l/revoked"), bytes("1"), revoked),
                StoreOp.put(p("l/expiring"), bytes("2"), expiring), StoreOp.put(p("l/kept"), bytes("3"))));
        assertThat(store.get(p("l/revoked")).get().single().orElseThrow().lease()).isEqualTo(revoked);

        store.revokeLease(revoked).get(5, TimeUnit.SECONDS);
        assertThat(keys(store.getPrefix(p("l/"), 0).get())).containsExactly(p("l/expiring"), p("l/kept"));

        letLeasesExpire(Duration.ofSeconds(1));
        await().atMost(10, TimeUnit.SECONDS)
                .until(() -> keys(store.getPrefix(p("l/"), 0).get()).equals(List.of(p("l/kept"))));
        assertThatThrownBy(() -> store.keepAlive(expiring).get(5, TimeUnit.SECONDS)).isInstanceOf(Exception.class);
    }

    @Test
    void aWatchFromACompactedRevisionFailsAsCompacted() throws Exception {
        ClusterStore store = store();
        long old = commit(store, List.of(), List.of(StoreOp.put(p("c"), bytes("1")))).revision();
        long now = commit(store, List.of(), List.of(StoreOp.put(p("c"), bytes("2")))).revision();
        compact(now);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (AutoCloseable watch = store.watch(p("c"), old, new StoreWatchListener() {
            @Override
            public void onEvents(List<StoreEvent> events, long revision) {
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        })) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> !errors.isEmpty());
            assertThat(errors.get(0)).isInstanceOf(StoreCompactedException.class);
        }
        assertThat(value(store, p("c"))).isEqualTo("2");
    }

    static TxnResult commit(ClusterStore store, List<StoreCompare> compares, List<StoreOp> ops) throws Exception {
        try {
            return store.commit(StoreTxn.of(compares, ops)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static String value(ClusterStore store, String key) throws Exception {
        return store.get(key).get().single().orElseThrow().value().toStringUtf8();
    }

    private static List<String> keys(StoreRange range) {
        return range.entries().stream().map(StoreEntry::key).toList();
    }

    private static StoreWatchListener listener(List<String> seen) {
        return new StoreWatchListener() {
            @Override
            public void onEvents(List<StoreEvent> events, long revision) {
                List<String> lines = new ArrayList<>();
                for (StoreEvent e : events) {
                    lines.add(revision + ":" + e.type() + " " + e.entry().key()
                            + (e.type() == StoreEvent.Type.PUT ? "=" + e.entry().value().toStringUtf8()
                                    : "@" + e.entry().modRevision()));
                }
                seen.addAll(lines);
            }

            @Override
            public void onError(Throwable error) {
                seen.add("error " + error);
            }
        };
    }
}
