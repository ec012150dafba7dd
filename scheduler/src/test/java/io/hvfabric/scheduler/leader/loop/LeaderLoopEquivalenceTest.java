package io.hvfabric.scheduler.leader.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.hvfabric.scheduler.store.kv.ClusterStore;
import io.hvfabric.scheduler.store.kv.InMemoryClusterStore;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import io.hvfabric.scheduler.store.kv.StoreOp;
import io.hvfabric.scheduler.store.kv.StoreTxn;
import io.hvfabric.scheduler.testing.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the decisions and however their commits are batched, the loop's outcome is that of running the
 * decisions one after another: each sees exactly what the ones before it left, and etcd ends in that state.
 */
class LeaderLoopEquivalenceTest {
    private static final String LEADER_KEY = "/hvf/leader/sched-1";
    private static final List<String> KEYS = List.of("/a/1", "/a/2", "/b/1", "/b/2");

    /** One decision: read a key, then (unless it refuses) write another derived from what it read. */
    record Step(String read, String write, boolean delete, String deletePrefix, boolean refuse) {
        String decide(Map<String, String> state) {
            return state.getOrDefault(read, "-");
        }

        void apply(Map<String, String> state, String seen, int index) {
            if (deletePrefix != null) {
                state.keySet().removeIf(k -> k.startsWith(deletePrefix));
            } else if (delete) {
                state.remove(write);
            } else {
                state.put(write, seen + "+" + index);
            }
        }
    }

    @Property(tries = 60)
    void theOutcomeIsThatOfTheDecisionsRunOneAfterAnother(@ForAll("steps") @Size(min = 1, max = 40) List<Step> steps,
                                                          @ForAll("batchSizes") int maxBatchOps) throws Exception {
        InMemoryClusterStore etcd = new InMemoryClusterStore(new ManualClock());
        GatedStore store = new GatedStore(etcd);
        long term = etcd.commit(StoreTxn.of(List.of(), List.of(StoreOp.put(LEADER_KEY, ByteString.EMPTY))))
                .get().revision();
        MirroredState state = new MirroredState(store);
        LeaderLoop loop = new LeaderLoop(store, new LeaderLoop.Fence(LEADER_KEY, term), state, maxBatchOps, e -> { });
        state.onApplied(loop::applied);
        try {
            List<CompletableFuture<Committed<String>>> results = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                int index = i;
                results.add(loop.submit(c -> {
                    String seen = c.read(step.read()).map(ByteString::toStringUtf8).orElse("-");
                    if (step.refuse()) {
                        throw new IllegalStateException("refused");
                    }
                    if (step.deletePrefix() != null) {
                        c.write(StoreOp.deletePrefix(step.deletePrefix()));
                    } else if (step.delete()) {
                        c.write(StoreOp.delete(step.write()));
                    } else {
                        c.write(StoreOp.put(step.write(), ByteString.copyFromUtf8(seen + "+" + index)));
                    }
                    return seen;
                }));
                if (i % 7 == 3) {
                    store.release(1);
                }
            }
            store.open();

            Map<String, String> model = new TreeMap<>();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                String expected = step.decide(model);
                CompletableFuture<Committed<String>> result = results.get(i);
                if (step.refuse()) {
                    assertThat(result).failsWithin(5, TimeUnit.SECONDS);
                    continue;
                }
                assertThat(result.get(5, TimeUnit.SECONDS).value()).as("step %d read", i).isEqualTo(expected);
                step.apply(model, expected, i);
            }
            Map<String, String> stored = etcd.getPrefix("/", 0).get().entries().stream()
                    .filter(e -> !e.key().equals(LEADER_KEY))
                    .collect(Collectors.toMap(StoreEntry::key, e -> e.value().toStringUtf8(), (a, b) -> a,
                            TreeMap::new));
            assertThat(stored).isEqualTo(model);
        } finally {
            loop.close();
            state.close();
            store.close();
        }
    }

    @Provide
    Arbitrary<Integer> batchSizes() {
        return Arbitraries.of(1, 2, 3, ClusterStore.MAX_OPS_PER_TXN);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> key = Arbitraries.of(KEYS);
        Arbitrary<Optional<String>> prefix = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.just(Optional.<String>empty())),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("/a/", "/b/").map(Optional::of)));
        Arbitrary<Step> step = Combinators.combine(key, key, Arbitraries.of(true, false, false, false), prefix,
                        Arbitraries.of(true, false, false, false, false))
                .as((read, write, delete, p, refuse) -> new Step(read, write, delete, p.orElse(null), refuse));
        return step.list();
    }
}
