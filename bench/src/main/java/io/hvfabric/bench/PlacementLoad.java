package io.hvfabric.bench;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Issues CreateVsi calls from a fixed number of concurrent callers until all are done or the time budget ends. */
public final class PlacementLoad {

    /** Per-call latencies of the successful creates, failures by gRPC status code, wall time of the run. */
    public record Result(List<Double> latenciesMs, List<VsiSpec> placed, Map<String, Integer> failures, long wallMs,
            boolean budgetExhausted) {
        public double createsPerSecond() {
            return latenciesMs.size() * 1000.0 / wallMs;
        }
    }

    private PlacementLoad() {
    }

    public static Result run(ManagedChannel scheduler, List<VsiSpec> specs, int concurrency, long budgetMs)
            throws InterruptedException {
        OperatorServiceGrpc.OperatorServiceBlockingStub operator = OperatorServiceGrpc.newBlockingStub(scheduler);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<VsiSpec> placed = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(budgetMs);
        ExecutorService callers = Executors.newFixedThreadPool(concurrency, SimulatedHosts.daemon("bench-create"));
        for (int c = 0; c < concurrency; c++) {
            callers.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < specs.size() && System.nanoTime() < deadline) {
                    VsiSpec spec = specs.get(i);
                    long t0 = System.nanoTime();
                    try {
                        operator.withDeadlineAfter(60, TimeUnit.SECONDS)
                                .createVsi(CreateVsiRequest.newBuilder().setSpec(spec).build());
                        latencies.add((System.nanoTime() - t0) / 1e6);
                        placed.add(spec);
                    } catch (StatusRuntimeException e) {
                        failures.merge(e.getStatus().getCode().name(), 1, Integer::sum);
                    }
                }
            });
        }
        callers.shutdown();
        if (!callers.awaitTermination(budgetMs + 120_000, TimeUnit.MILLISECONDS)) {
            callers.shutdownNow();
        }
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        return new Result(List.copyOf(latencies), List.copyOf(placed), Map.copyOf(failures), wallMs,
                next.get() < specs.size());
    }
}
