package io.hvfabric.bench;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.lab.Lab;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainActionRequest;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.HostActionRequest;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Replica;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The operator calls the migration and drain benchmarks make, on the lab's leader with the operator certificate. */
final class FabricOperator implements AutoCloseable {
    private static final Set<Migration.Phase> MIGRATION_ENDS = EnumSet.of(Migration.Phase.COMPLETED,
            Migration.Phase.FAILED, Migration.Phase.ROLLED_BACK, Migration.Phase.CANCELLED);
    private static final Set<Drain.Phase> DRAIN_ENDS = EnumSet.of(Drain.Phase.COMPLETED, Drain.Phase.PARTIAL,
            Drain.Phase.CANCELLED);

    /** A finished migration as the operator sees it: wall time from the MigrateVsi call to the final record. */
    record Timed<T>(T record, double wallMs) {}

    private final ManagedChannel channel;
    private final OperatorServiceGrpc.OperatorServiceBlockingStub operator;

    private FabricOperator(ManagedChannel channel) {
        this.channel = channel;
        this.operator = OperatorServiceGrpc.newBlockingStub(channel);
    }

    static FabricOperator onLeader(Lab lab) throws InterruptedException {
        // A lab started --insecure speaks plaintext gRPC (and its agents migrate without TLS).
        Optional<TlsFiles> tls = lab.insecure() ? Optional.empty()
                : Optional.of(TlsFiles.inDir(lab.keyDir("operator"), "operator"));
        List<String> replicas = lab.schedulerEndpoints();
        ManagedChannel any = GrpcTls.channel(replicas.get(0), tls);
        String leader;
        try {
            ClusterStatus status = OperatorServiceGrpc.newBlockingStub(any).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
            leader = status.getReplicasList().stream().filter(Replica::getLeader).map(Replica::getAddress).findFirst()
                    .orElse(replicas.get(0));
        } finally {
            any.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        return new FabricOperator(GrpcTls.channel(leader, tls));
    }

    /** Creates the VSI and returns once its console shows the first hvf-tick (the guest has booted). */
    Vsi createAndAwaitTick(VsiSpec spec, long timeoutMs) throws Exception {
        Vsi created = create(spec);
        awaitTick(spec.getName(), timeoutMs);
        return created;
    }

    Vsi create(VsiSpec spec) {
        return operator.withDeadlineAfter(30, TimeUnit.SECONDS).createVsi(CreateVsiRequest.newBuilder().setSpec(spec).build());
    }

    /** Returns once the VSI's console shows hvf-tick; retries while the console does not exist yet. */
    void awaitTick(String name, long timeoutMs) throws Exception {
        awaitTickBy(name, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    }

    Vsi vsi(String name) {
        return operator.withDeadlineAfter(10, TimeUnit.SECONDS).getVsi(GetVsiRequest.newBuilder().setName(name).build());
    }

    /** MigrateVsi, then WatchMigration until the record reaches an end phase. */
    Timed<Migration> migrate(String name, String to, long timeoutMs) {
        long start = System.nanoTime();
        Migration accepted = operator.withDeadlineAfter(30, TimeUnit.SECONDS)
                .migrateVsi(MigrateVsiRequest.newBuilder().setName(name).setTo(to).build());
        Migration last = accepted;
        if (!MIGRATION_ENDS.contains(last.getPhase())) {
            try {
                Iterator<Migration> updates = operator.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                        .watchMigration(GetMigrationRequest.newBuilder().setId(accepted.getId()).build());
                while (updates.hasNext()) {
                    last = updates.next();
                    if (MIGRATION_ENDS.contains(last.getPhase())) {
                        break;
                    }
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw e;
                }
                last = migration(accepted.getId()); // timed out: report where it stands
            }
        }
        return new Timed<>(last, (System.nanoTime() - start) / 1e6);
    }

    Migration migration(String id) {
        return operator.withDeadlineAfter(10, TimeUnit.SECONDS).getMigration(GetMigrationRequest.newBuilder().setId(id).build());
    }

    /** DrainHost, then WatchDrain until the drain ends. */
    Timed<Drain> drain(String host, long timeoutMs) {
        long start = System.nanoTime();
        Drain last = operator.withDeadlineAfter(30, TimeUnit.SECONDS)
                .drainHost(DrainHostRequest.newBuilder().setHost(host).build());
        if (!DRAIN_ENDS.contains(last.getPhase())) {
            try {
                Iterator<Drain> updates = operator.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                        .watchDrain(DrainActionRequest.newBuilder().setHost(host).build());
                while (updates.hasNext()) {
                    last = updates.next();
                    if (DRAIN_ENDS.contains(last.getPhase())) {
                        break;
                    }
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw e;
                }
                last = operator.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getDrain(DrainActionRequest.newBuilder().setHost(host).build());
            }
        }
        return new Timed<>(last, (System.nanoTime() - start) / 1e6);
    }

    void uncordon(String host) {
        operator.withDeadlineAfter(30, TimeUnit.SECONDS).uncordonHost(HostActionRequest.newBuilder().setId(host).build());
    }

    /** Deletes the VSI and waits until it is gone; a VSI already gone is fine. */
    void delete(String name) throws InterruptedException {
        VsiDeletion.deleteAndAwaitGone(operator, name, Duration.ofSeconds(60));
    }

    private void awaitTickBy(String name, long deadline) throws Exception {
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            CompletableFuture<Long> tick = new CompletableFuture<>();
            OperatorServiceGrpc.newStub(channel).streamConsole(
                    ConsoleRequest.newBuilder().setName(name).setFollow(true).build(), new FirstTickObserver(tick));
            try {
                tick.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof StatusRuntimeException sre)) {
                    throw e;
                }
                last = sre;
                Thread.sleep(200); // no console yet: ask again
            }
        }
        throw new TimeoutException(name + ": no hvf-tick on the console in time"
                + (last == null ? "" : " (last error: " + last.getStatus() + ")"));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
