package io.hvfabric.bench;

import io.grpc.ManagedChannel;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListImagesRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.Scheduler;
import io.hvfabric.scheduler.SchedulerConfig;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Placement throughput at scale: one real etcd, one real in-process scheduler (plaintext gRPC), N simulated hosts
 * (Register + Heartbeat only), then M CreateVsi calls from C concurrent callers, under one policy. In the same run,
 * before the scheduler starts, etcd's own ceiling for placement-shaped transactions at C clients and at 1 client.
 */
public final class PlacementScaleBench {
    private static final Duration HOST_LEASE_TTL = Duration.ofSeconds(120);
    /** Each simulated host heartbeats once per this period: far inside the 120 s TTL, light on two cores. */
    private static final long HEARTBEAT_PERIOD_MS = 30_000;

    private PlacementScaleBench() {
    }

    record PolicyRun(String policy, long registerMs, PlacementLoad.Result load, long hostsUsed, long lowerBound,
            long heartbeatFailures, Heartbeats idle) {}

    /**
     * The heartbeat-only window before the creates: heartbeats answered per second, their round trip, and the CPU
     * the whole JVM (scheduler and simulator) used, as a share of one core.
     */
    record Heartbeats(double perSecond, Sample latency, double cpuCores, double seconds) {}

    public static void main(String[] args) throws Exception {
        Flags flags = new Flags(args, "hosts", "vsis", "concurrency", "policy", "budget-s", "txn-s", "seed", "idle-s");
        int hosts = flags.integer("hosts", 1000, 1);
        int vsis = flags.integer("vsis", 10_000, 1);
        int concurrency = flags.integer("concurrency", 32, 1);
        long budgetMs = flags.integer("budget-s", 200, 1) * 1000L;
        long txnMs = flags.integer("txn-s", 10, 1) * 1000L;
        long seed = flags.integer("seed", 42, 0);
        long idleMs = flags.integer("idle-s", 10, 1) * 1000L;
        // One policy per JVM: a scheduler registers its metrics in the process-wide Prometheus registry, so a
        // second Scheduler.start in the same JVM fails with a duplicate metric name.
        String policy = flags.text("policy", "spread");

        try (EtcdProcess etcd = EtcdProcess.start()) {
            log("etcd at " + etcd.endpoint());
            EtcdTxnCeiling.Result ceiling = EtcdTxnCeiling.measure(etcd.endpoint(), "/bench/txn", concurrency, txnMs);
            EtcdTxnCeiling.Result serial = EtcdTxnCeiling.measure(etcd.endpoint(), "/bench/txn1", 1, txnMs);
            log(String.format("etcd txn ceiling: %.0f/s at %d clients, %.0f/s at 1 client",
                    ceiling.txnsPerSecond(), concurrency, serial.txnsPerSecond()));
            PolicyRun run = runPolicy(etcd.endpoint(), policy, hosts, vsis, concurrency, budgetMs, seed, idleMs);
            print(List.of(run), ceiling, serial, hosts, vsis, concurrency);
        }
    }

    private static PolicyRun runPolicy(String etcd, String policy, int hostCount, int vsiCount, int concurrency,
            long budgetMs, long seed, long idleMs) throws Exception {
        PlacementConfig placement = PlacementConfig.DEFAULT.withPolicy(switch (policy) {
            case "spread" -> PlacementPolicy.SPREAD;
            case "pack" -> PlacementPolicy.PACK;
            default -> throw new IllegalArgumentException("--policy: must be spread or pack (got '" + policy + "')");
        });
        HostPort listen = new HostPort("127.0.0.1", EtcdProcess.freePort());
        HostPort pekko = new HostPort("127.0.0.1", EtcdProcess.freePort());
        // The bench's own plaintext etcd on loopback (EtcdProcess), not a lab's.
        SchedulerConfig config = new SchedulerConfig("bench-" + policy, listen, listen, List.of(etcd), Optional.empty(),
                "/bench/" + policy, new HostPort("127.0.0.1", EtcdProcess.freePort()), pekko, List.of(pekko),
                Optional.empty(), Duration.ofSeconds(3), HOST_LEASE_TTL, placement,
                Path.of("/var/cache/hvfabric/images"), Duration.ZERO, 0.1, 0);
        try (Scheduler scheduler = Scheduler.start(config)) {
            ManagedChannel channel = GrpcTls.channel(listen.toString(), Optional.empty());
            try (SimulatedHosts simulated = new SimulatedHosts(channel)) {
                awaitLeaderWithImage(scheduler, channel);
                long registerMs = simulated.register(hostCount, concurrency);
                log(policy + ": registered " + hostCount + " hosts in " + registerMs + " ms");
                simulated.keepAlive(HEARTBEAT_PERIOD_MS);
                Heartbeats idle = idle(simulated, idleMs);
                log(String.format("%s: heartbeats only: %.1f/s answered, p99 %.1f ms, JVM CPU %.2f cores", policy,
                        idle.perSecond(), idle.latency().p99(), idle.cpuCores()));
                List<VsiSpec> specs = VsiSizeMix.draw("b", vsiCount, seed);
                PlacementLoad.Result load = PlacementLoad.run(channel, specs, concurrency, budgetMs);
                log(String.format("%s: %d creates in %d ms (%.1f/s), failures %s", policy, load.latenciesMs().size(),
                        load.wallMs(), load.createsPerSecond(), load.failures()));
                long used = hostsUsed(channel);
                long bound = PackLowerBound.hosts(load.placed(), SimulatedHosts.VCPUS, SimulatedHosts.MEMORY_MIB,
                        placement.ratios().cpu(), placement.ratios().memory());
                return new PolicyRun(policy, registerMs, load, used, bound, simulated.heartbeatFailures(), idle);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static Heartbeats idle(SimulatedHosts simulated, long idleMs) throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long beats0 = simulated.heartbeats();
        int seen0 = simulated.heartbeatLatenciesMs().size();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(idleMs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cores = (os.getProcessCpuTime() - cpu0) / 1e9 / seconds;
        List<Double> all = simulated.heartbeatLatenciesMs();
        List<Double> window = all.subList(Math.min(seen0, all.size()), all.size());
        Sample latency = Sample.of(window.isEmpty() ? List.of(Double.NaN) : window);
        return new Heartbeats((simulated.heartbeats() - beats0) / seconds, latency, cores, seconds);
    }

    private static void awaitLeaderWithImage(Scheduler scheduler, ManagedChannel channel) throws InterruptedException {
        OperatorServiceGrpc.OperatorServiceBlockingStub operator = OperatorServiceGrpc.newBlockingStub(channel);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (scheduler.isLeader() && operator.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .listImages(ListImagesRequest.getDefaultInstance()).getImagesCount() > 0) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not serving yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("scheduler: not leader with the default image after 60 s");
    }

    private static long hostsUsed(ManagedChannel channel) {
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .withMaxInboundMessageSize(64 << 20)
                .listHosts(ListHostsRequest.getDefaultInstance()).getHostsList().stream()
                .filter(h -> h.getVsiCount() > 0 || h.getAllocated().getVsiCount() > 0).count();
    }

    private static void print(List<PolicyRun> runs, EtcdTxnCeiling.Result ceiling, EtcdTxnCeiling.Result serial,
            int hosts, int vsis, int concurrency) {
        System.out.println();
        System.out.printf("Placement at scale: %d simulated hosts (%d vCPU, %d GiB, %d GiB disk, %d Mbit/s, tcg), "
                + "%d CreateVsi requested, %d concurrent callers%n%n", hosts, SimulatedHosts.VCPUS,
                SimulatedHosts.MEMORY_MIB / 1024, SimulatedHosts.DISK_GIB, SimulatedHosts.NIC_MBPS, vsis, concurrency);
        MarkdownTable table = new MarkdownTable("policy", "register hosts (s)", "creates ok", "failed",
                "wall (s)", "creates/s", "p50 (ms)", "p99 (ms)", "max (ms)",
                "÷ etcd txns/s @" + concurrency, "÷ etcd txns/s @1", "hosts used", "pack lower bound");
        for (PolicyRun r : runs) {
            Sample s = Sample.of(r.load().latenciesMs());
            table.row(r.policy(), r.registerMs() / 1000.0, s.count(),
                    r.load().failures().isEmpty() ? "0" : r.load().failures().toString(),
                    r.load().wallMs() / 1000.0, r.load().createsPerSecond(), s.median(), s.p99(), s.max(),
                    String.format("%.3f", r.load().createsPerSecond() / ceiling.txnsPerSecond()),
                    String.format("%.3f", r.load().createsPerSecond() / serial.txnsPerSecond()),
                    r.hostsUsed(), r.lowerBound());
        }
        System.out.print(table.render());
        System.out.println();
        MarkdownTable beats = new MarkdownTable("policy", "heartbeat-only window (s)", "heartbeats/s",
                "heartbeat p50 (ms)", "heartbeat p99 (ms)", "JVM CPU (cores)");
        for (PolicyRun r : runs) {
            beats.row(r.policy(), r.idle().seconds(), r.idle().perSecond(), r.idle().latency().median(),
                    r.idle().latency().p99(), String.format("%.2f", r.idle().cpuCores()));
        }
        System.out.print(beats.render());
        System.out.println();
        System.out.print(new MarkdownTable("etcd txn (1 compare + 2 puts)", "clients", "txns", "seconds", "txns/s")
                .row("ceiling", ceiling.clients(), ceiling.txns(), ceiling.durationMs() / 1000.0, ceiling.txnsPerSecond())
                .row("serial", serial.clients(), serial.txns(), serial.durationMs() / 1000.0, serial.txnsPerSecond())
                .render());
        for (PolicyRun r : runs) {
            if (r.load().budgetExhausted()) {
                System.out.println("\nnote: " + r.policy() + " stopped at the time budget before all " + vsis
                        + " creates were issued");
            }
            if (r.heartbeatFailures() > 0) {
                System.out.println("\nnote: " + r.policy() + " had " + r.heartbeatFailures() + " failed heartbeats");
            }
        }
    }

    static void log(String line) {
        System.err.println("bench: " + line);
    }
}
