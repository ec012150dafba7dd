package io.hvfabric.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * etcd's own ceiling for transactions shaped like a placement commit: one compare (the caller's key at the mod
 * revision it last wrote) and two puts (the record and the allocation, ~300 bytes each). Each client is a thread
 * with one transaction in flight, like a caller blocked on its answer.
 */
public final class EtcdTxnCeiling {
    private static final String VALUE = "x".repeat(300);

    public record Result(int clients, long txns, long failed, long durationMs) {
        public double txnsPerSecond() {
            return txns * 1000.0 / durationMs;
        }
    }

    private EtcdTxnCeiling() {
    }

    public static Result measure(String endpoint, String prefix, int clients, long durationMs) throws Exception {
        try (Client client = Client.builder().endpoints(endpoint).build()) {
            KV kv = client.getKVClient();
            ExecutorService pool = Executors.newFixedThreadPool(clients, SimulatedHosts.daemon("bench-txn"));
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(durationMs);
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(pool.submit(() -> loop(kv, prefix + "/txn-" + id, deadline)));
            }
            long ok = 0;
            long failed = 0;
            for (Future<long[]> f : results) {
                long[] r = f.get(durationMs + 60_000, TimeUnit.MILLISECONDS);
                ok += r[0];
                failed += r[1];
            }
            pool.shutdownNow();
            return new Result(clients, ok, failed, (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static long[] loop(KV kv, String key, long deadline) throws Exception {
        ByteSequence record = bytes(key + "/record");
        ByteSequence alloc = bytes(key + "/alloc");
        ByteSequence value = bytes(VALUE);
        long lastRevision = 0; // 0 = the key does not exist yet: compare its version instead
        long ok = 0;
        long failed = 0;
        while (System.nanoTime() < deadline) {
            Cmp unchanged = lastRevision == 0
                    ? new Cmp(alloc, Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(alloc, Cmp.Op.EQUAL, CmpTarget.modRevision(lastRevision));
            TxnResponse r = kv.txn().If(unchanged)
                    .Then(Op.put(record, value, PutOption.DEFAULT), Op.put(alloc, value, PutOption.DEFAULT))
                    .commit().get(10, TimeUnit.SECONDS);
            if (r.isSucceeded()) {
                ok++;
                lastRevision = r.getHeader().getRevision();
            } else {
                failed++;
            }
        }
        return new long[] {ok, failed};
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
