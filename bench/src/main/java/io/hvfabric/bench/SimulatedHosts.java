package io.hvfabric.bench;

import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.Resources;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scale simulator: hosts that exist only as Register and Heartbeat calls (no agent, no QEMU). Every host has
 * the same shape; heartbeats renew each host's lease once per period, spread over the period.
 */
public final class SimulatedHosts implements AutoCloseable {
    public static final int VCPUS = 32;
    public static final long MEMORY_MIB = 128L * 1024;
    public static final long DISK_GIB = 1024;
    public static final long NIC_MBPS = 25_000;

    private final AgentServiceGrpc.AgentServiceBlockingStub agents;
    private final Map<String, Long> leases = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeats = Executors.newScheduledThreadPool(2, daemon("bench-heartbeat"));
    private final AtomicLong heartbeatFailures = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final List<Double> heartbeatMs = java.util.Collections.synchronizedList(new ArrayList<>());

    public SimulatedHosts(ManagedChannel scheduler) {
        this.agents = AgentServiceGrpc.newBlockingStub(scheduler);
    }

    /** Registers hosts sim-0..sim-(count-1) with the given concurrency; returns the wall time in ms. */
    public long register(int count, int concurrency) throws Exception {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("bench-register"));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = "sim-" + i;
                int octet = i;
                done.add(pool.submit(() -> {
                    RegisterResponse r = agents.withDeadlineAfter(30, TimeUnit.SECONDS).register(request(id, octet));
                    leases.put(id, r.getLeaseId());
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Renews every host's lease once per {@code periodMs}, the hosts' heartbeats evenly spread over the period. */
    public void keepAlive(long periodMs) {
        List<String> ids = new ArrayList<>(leases.keySet());
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            long offset = periodMs * i / ids.size();
            heartbeats.scheduleAtFixedRate(() -> beat(id), offset, periodMs, TimeUnit.MILLISECONDS);
        }
    }

    private void beat(String id) {
        try {
            long t0 = System.nanoTime();
            agents.withDeadlineAfter(10, TimeUnit.SECONDS).heartbeat(HeartbeatRequest.newBuilder()
                    .setHostId(id).setLeaseId(leases.get(id)).build());
            heartbeatMs.add((System.nanoTime() - t0) / 1e6);
            answered.incrementAndGet();
        } catch (RuntimeException e) {
            heartbeatFailures.incrementAndGet();
        }
    }

    /** Heartbeats answered so far. */
    public long heartbeats() {
        return answered.get();
    }

    /** Each answered heartbeat's round trip, in ms. */
    public List<Double> heartbeatLatenciesMs() {
        synchronized (heartbeatMs) {
            return List.copyOf(heartbeatMs);
        }
    }

    public long heartbeatFailures() {
        return heartbeatFailures.get();
    }

    private static RegisterRequest request(String id, int i) {
        return RegisterRequest.newBuilder()
                .setHostId(id)
                .setAddress("10.200." + (i / 250) + "." + (1 + i % 250) + ":7100")
                .setCapacity(Resources.newBuilder().setVcpus(VCPUS).setMemoryMib(MEMORY_MIB)
                        .setDiskGib(DISK_GIB).setNicMbps(NIC_MBPS))
                .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg").setCpuModel("qemu64")
                        .setCgroupVersion("v1"))
                .setAgentVersion("bench-simulator")
                .build();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
    }
}
