package io.hvfabric.agent.grpc;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.agent.guest.GuestCalls;
import io.hvfabric.agent.migration.MigrationServiceHandlers;
import io.hvfabric.agent.vsi.ConsoleTail;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.DenyList;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GetHostInfoRequest;
import io.hvfabric.proto.v1.HostInfo;
import io.hvfabric.proto.v1.MigrationControlRequest;
import io.hvfabric.proto.v1.MigrationControlResponse;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.SendMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the scheduler may ask a node agent directly. Only schedulers: the service is bound behind a role check, so every
 * method (consoles, migration roles and control, guest exec) is refused to operators, tenants and other hosts' agents
 * before its handler runs; and before the role, a revoked certificate ({@link DenyList}) is refused whatever it is,
 * on each call, so also on a connection opened before the revocation.
 */
public final class NodeServiceImpl implements NodeServiceGrpc.AsyncService, BindableService, AutoCloseable {
    private final Supplier<HostInfo> hostInfo;
    private final Function<String, Path> consoleLogs;
    private final Predicate<String> assignedHere;
    private final MigrationServiceHandlers migrations;
    private final GuestCalls guests;
    private final DenyList revoked;
    private final ExecutorService consoleThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "console-tail");
        t.setDaemon(true);
        return t;
    });

    public NodeServiceImpl(Supplier<HostInfo> hostInfo, Function<String, Path> consoleLogs,
                           Predicate<String> assignedHere, MigrationServiceHandlers migrations, GuestCalls guests,
                           DenyList revoked) {
        this.revoked = revoked;
        this.hostInfo = hostInfo;
        this.consoleLogs = consoleLogs;
        this.assignedHere = assignedHere;
        this.migrations = migrations;
        this.guests = guests;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerInterceptors.intercept(NodeServiceGrpc.bindService(this), new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                revoked.admit(PeerIdentity.currentSerial());
                PeerIdentity.requireRole(Roles.SCHEDULER);
                return next.startCall(call, headers);
            }
        });
    }

    @Override
    public void getHostInfo(GetHostInfoRequest request, StreamObserver<HostInfo> response) {
        response.onNext(hostInfo.get());
        response.onCompleted();
    }

    @Override
    public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
        String name = request.getName();
        if (!assignedHere.test(name) && !Files.exists(consoleLogs.apply(name))) {
            throw FabricException.notFound("vsi console", name);
        }
        ServerCallStreamObserver<ConsoleChunk> out = (ServerCallStreamObserver<ConsoleChunk>) response;
        ConsoleTail tail = ConsoleTail.attach(out);
        consoleThreads.execute(() -> {
            try {
                tail.stream(consoleLogs.apply(name), request.getTailBytes(), request.getFollow(),
                        () -> assignedHere.test(name));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (!out.isCancelled()) {
                    out.onError(Status.INTERNAL.withDescription("console of " + name + ": " + e.getMessage())
                            .asRuntimeException());
                }
            }
        });
    }

    @Override
    public void receiveMigration(ReceiveMigrationRequest request, StreamObserver<TargetEvent> response) {
        migrations.receiveMigration(request, response);
    }

    @Override
    public void sendMigration(SendMigrationRequest request, StreamObserver<MigrationProgress> response) {
        migrations.sendMigration(request, response);
    }

    @Override
    public void cancelMigration(MigrationControlRequest request, StreamObserver<MigrationControlResponse> response) {
        response.onNext(migrations.cancelMigration(request));
        response.onCompleted();
    }

    @Override
    public void resumeTarget(MigrationControlRequest request, StreamObserver<MigrationControlResponse> response) {
        response.onNext(migrations.resumeTarget(request));
        response.onCompleted();
    }

    @Override
    public void abortMigration(MigrationControlRequest request, StreamObserver<MigrationControlResponse> response) {
        response.onNext(migrations.abortMigration(request));
        response.onCompleted();
    }

    /** Runs a command inside a guest: a root shell in every tenant, so only the scheduler may ask. */
    @Override
    public void guestExec(ExecVsiRequest request, StreamObserver<ExecVsiResponse> response) {
        Context call = Context.current();
        response.onNext(guests.exec(request, call::isCancelled));
        response.onCompleted();
    }

    @Override
    public void awaitGuest(AwaitGuestRequest request, StreamObserver<AwaitGuestResponse> response) {
        response.onNext(guests.await(request));
        response.onCompleted();
    }

    @Override
    public void close() {
        consoleThreads.shutdownNow();
        migrations.close();
    }
}
