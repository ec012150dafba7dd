package io.hvfabric.scheduler.migrate;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.MigrationControlRequest;
import io.hvfabric.proto.v1.MigrationControlResponse;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.SendMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One host's NodeService migration roles, served in-process under the host's address, with a scripted target: what
 * its incoming QEMU does once the source has sent everything, and what each ResumeTarget answers. It keeps the two
 * copies' states as an agent's QEMUs would be: the source's guest ({@code none}, {@code running}, {@code migrated}
 * once sent) and the target's copy ({@code none}, {@code incoming}, {@code loaded}, {@code running}).
 */
final class ScriptedNode extends NodeServiceGrpc.NodeServiceImplBase implements AutoCloseable {
    /** What the incoming QEMU does after the source's last page. */
    enum Load { COMPLETED, FAILED, SILENT }

    /** How long the scripted target takes to load what the source sent. */
    private static final long LOAD_TIME_MS = 300;

    private final Server server;
    private final CountDownLatch sent;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    /** The last ReceiveMigration request this node got as a target. */
    volatile ReceiveMigrationRequest received;
    private final AtomicInteger resumes = new AtomicInteger();
    private volatile Load load = Load.COMPLETED;
    private volatile IntFunction<String> resumeScript = attempt -> "running";
    private volatile Runnable onResume = () -> { };
    private volatile Runnable whileSending = () -> { };
    private volatile String guest = "none";
    private volatile String copy = "none";

    /** @param sent counted down by the source once it sent everything; shared by the nodes of one migration */
    ScriptedNode(String address, CountDownLatch sent) throws IOException {
        this.sent = sent;
        this.server = InProcessServerBuilder.forName(address).addService(this).build().start();
    }

    ScriptedNode loads(Load outcome) {
        load = outcome;
        return this;
    }

    /** {@code script} gets the attempt (1, 2, ...) and answers the state, or throws a gRPC status. */
    ScriptedNode resumes(IntFunction<String> script) {
        resumeScript = script;
        return this;
    }

    /** Runs inside each ResumeTarget, before it answers: what the fabric looks like while the target is resumed. */
    ScriptedNode onResume(Runnable probe) {
        onResume = probe;
        return this;
    }

    /** Runs in SendMigration between its first sample and its last: what the fabric shows of a migration under way. */
    ScriptedNode whileSending(Runnable probe) {
        whileSending = probe;
        return this;
    }

    /** The copy arrived before this node's agent took over (what a new leader finds). */
    ScriptedNode holdingLoadedCopy() {
        copy = "loaded";
        return this;
    }

    ScriptedNode runningTheGuest() {
        guest = "running";
        return this;
    }

    /** The guest was sent and is paused in postmigrate (what a new leader finds). */
    ScriptedNode holdingMigratedGuest() {
        guest = "migrated";
        return this;
    }

    String guest() {
        return guest;
    }

    String copy() {
        return copy;
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    int resumeCalls() {
        return resumes.get();
    }

    @Override
    public void receiveMigration(ReceiveMigrationRequest request, StreamObserver<TargetEvent> events) {
        calls.add("receive");
        received = request;
        CountDownLatch cancelled = new CountDownLatch(1);
        ((ServerCallStreamObserver<TargetEvent>) events).setOnCancelHandler(cancelled::countDown);
        copy = "incoming";
        events.onNext(TargetEvent.newBuilder().setKind(TargetEvent.Kind.READY).setUri("tcp:127.0.0.1:49152").build());
        try {
            if (!sent.await(30, TimeUnit.SECONDS)) {
                events.onError(Status.DEADLINE_EXCEEDED.withDescription("the source never sent").asRuntimeException());
                return;
            }
            switch (load) {
                case COMPLETED -> {
                    copy = "loaded";
                    events.onNext(TargetEvent.newBuilder().setKind(TargetEvent.Kind.COMPLETED).build());
                    events.onCompleted();
                }
                case FAILED -> {
                    // A real load fails while the target reads the device state, after the source's last sample;
                    // reported at once, it could overtake that sample in the runner's queues (a different failure).
                    Thread.sleep(LOAD_TIME_MS);
                    copy = "none"; // QEMU 7.2 exits when an incoming migration fails
                    events.onNext(TargetEvent.newBuilder().setKind(TargetEvent.Kind.FAILED)
                            .setError("load of migration failed: Input/output error").build());
                    events.onCompleted();
                }
                case SILENT -> cancelled.await(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void sendMigration(SendMigrationRequest request, StreamObserver<MigrationProgress> samples) {
        calls.add("send");
        samples.onNext(MigrationProgress.newBuilder().setStatus("active").setRound(1).setTransferredBytes(1 << 20)
                .setRemainingBytes(255L << 20).setTotalBytes(256L << 20).setDirtyRateMibps(2).setThroughputMibps(8)
                .setRung("precopy").build());
        whileSending.run();
        guest = "migrated";
        samples.onNext(MigrationProgress.newBuilder().setStatus("completed").setRound(2)
                .setTransferredBytes(2 << 20).setTotalBytes(256L << 20).setDowntimeMs(4).setRung("precopy").build());
        samples.onCompleted();
        sent.countDown();
    }

    @Override
    public void resumeTarget(MigrationControlRequest request, StreamObserver<MigrationControlResponse> response) {
        calls.add("resume");
        onResume.run();
        try {
            String state = resumeScript.apply(resumes.incrementAndGet());
            copy = state;
            response.onNext(MigrationControlResponse.newBuilder().setState(state).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(e);
        }
    }

    @Override
    public void cancelMigration(MigrationControlRequest request, StreamObserver<MigrationControlResponse> response) {
        calls.add("cancel");
        answer(response, guest);
    }

    /** As the agent: the incoming copy of that migration goes; a source's paused guest runs again. */
    @Override
    public void abortMigration(MigrationControlRequest request, StreamObserver<MigrationControlResponse> response) {
        calls.add("abort");
        if (copy.equals("incoming") || copy.equals("loaded")) {
            copy = "none";
            answer(response, "stopped");
        } else if (!copy.equals("none")) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("the copy here runs").asRuntimeException());
        } else if (guest.equals("migrated")) {
            guest = "running";
            answer(response, guest);
        } else if (guest.equals("running")) {
            answer(response, guest);
        } else {
            response.onError(Status.NOT_FOUND.withDescription("no part in this migration here").asRuntimeException());
        }
    }

    private static void answer(StreamObserver<MigrationControlResponse> response, String state) {
        response.onNext(MigrationControlResponse.newBuilder().setState(state).build());
        response.onCompleted();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
