package io.hvfabric.agent.migration;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.link.TermGuard;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.error.GrpcErrors;
import io.hvfabric.proto.v1.MigrationControlRequest;
import io.hvfabric.proto.v1.MigrationControlResponse;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.SendMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The five NodeService migration RPCs on top of {@link MigrationSource} and {@link MigrationTarget}: the term
 * check (an older leader's call is refused with FAILED_PRECONDITION), one worker thread per streaming role, the
 * call's cancellation wired to the role's {@link CancelSignal}, and errors translated to fabric error codes.
 * Without the QEMU driver (the fake driver of the scale simulation) every call fails with FAILED_PRECONDITION.
 */
public final class MigrationServiceHandlers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationServiceHandlers.class);

    private final Optional<MigrationSource> source;
    private final Optional<MigrationTarget> target;
    private final TermGuard terms;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "migration-role");
        t.setDaemon(true);
        return t;
    });

    public MigrationServiceHandlers(Optional<MigrationSource> source, Optional<MigrationTarget> target, TermGuard terms) {
        this.source = source;
        this.target = target;
        this.terms = terms;
    }

    public void receiveMigration(ReceiveMigrationRequest request, StreamObserver<TargetEvent> response) {
        admit(request.getTerm(), "ReceiveMigration");
        MigrationTarget role = require(target);
        runStreaming("receive " + request.getMigrationId(), response,
                (events, cancel) -> role.receive(request, events, cancel));
    }

    public void sendMigration(SendMigrationRequest request, StreamObserver<MigrationProgress> response) {
        admit(request.getTerm(), "SendMigration");
        MigrationSource role = require(source);
        runStreaming("send " + request.getMigrationId(), response,
                (samples, cancel) -> role.send(request, samples, cancel));
    }

    public MigrationControlResponse cancelMigration(MigrationControlRequest request) {
        admit(request.getTerm(), "CancelMigration");
        MigrationSource s = require(source);
        return control(request, () -> s.cancel(request.getMigrationId(), request.getName()));
    }

    public MigrationControlResponse resumeTarget(MigrationControlRequest request) {
        admit(request.getTerm(), "ResumeTarget");
        MigrationTarget t = require(target);
        return control(request, () -> t.resume(request.getMigrationId(), request.getName()));
    }

    /**
     * Rollback on either side of the migration the call names. The scheduler need not say which role this agent
     * played: the incoming copy of that migration (being received, or waiting, never resumed) is destroyed; the source
     * of that migration is cancelled and resumed. Any other guest is left alone and the call refused.
     */
    public MigrationControlResponse abortMigration(MigrationControlRequest request) {
        admit(request.getTerm(), "AbortMigration");
        MigrationTarget t = require(target);
        MigrationSource s = require(source);
        String id = request.getMigrationId();
        String name = request.getName();
        return control(request, () -> t.isTargetCopy(id, name) ? t.abort(id, name) : s.abort(id, name));
    }

    private interface Role<T> {
        void run(Consumer<T> out, CancelSignal cancel);
    }

    private <T> void runStreaming(String what, StreamObserver<T> response, Role<T> role) {
        ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) response;
        CancelSignal cancel = new CancelSignal();
        call.setOnCancelHandler(() -> {
            LOG.info("migration role {}: call cancelled by the scheduler", what);
            cancel.cancel();
        });
        Consumer<T> out = message -> {
            synchronized (call) {
                if (!call.isCancelled()) {
                    call.onNext(message);
                }
            }
        };
        try {
            workers.execute(() -> {
                try {
                    role.run(out, cancel);
                    synchronized (call) {
                        if (!call.isCancelled()) {
                            call.onCompleted();
                        }
                    }
                } catch (RuntimeException e) {
                    synchronized (call) {
                        if (!call.isCancelled()) {
                            call.onError(GrpcErrors.toStatus(translate(e)));
                        }
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            throw FabricException.unavailable("the node agent is shutting down");
        }
    }

    private MigrationControlResponse control(MigrationControlRequest request, java.util.function.Supplier<String> action) {
        try {
            MigrationMarkers.requireValidId(request.getMigrationId());
            return MigrationControlResponse.newBuilder().setState(action.get()).build();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private void admit(long term, String rpc) {
        if (!terms.notOlder(term)) {
            throw FabricException.failedPrecondition("%s from term %d refused: this agent has seen term %d", rpc, term,
                    terms.highest());
        }
    }

    private static <R> R require(Optional<R> role) {
        return role.orElseThrow(() -> FabricException.failedPrecondition(
                "live migration needs the qemu driver; this agent runs the fake driver"));
    }

    static RuntimeException translate(RuntimeException e) {
        if (e instanceof FabricException) {
            return e;
        }
        if (e instanceof IllegalArgumentException) {
            return FabricException.of(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        if (e instanceof IllegalStateException) {
            return FabricException.failedPrecondition("%s", e.getMessage());
        }
        if (e instanceof VirtDriverException vde) {
            return switch (vde.kind()) {
                case NOT_FOUND -> FabricException.of(ErrorCode.NOT_FOUND, vde.getMessage());
                case ALREADY_RUNNING -> FabricException.failedPrecondition("%s", vde.getMessage());
                default -> FabricException.internal(vde, "%s", vde.getMessage());
            };
        }
        return e;
    }

    /** Stops the workers; running roles see an interrupt and cancel (source) or destroy (target) their side. */
    @Override
    public void close() {
        workers.shutdownNow();
    }

}
