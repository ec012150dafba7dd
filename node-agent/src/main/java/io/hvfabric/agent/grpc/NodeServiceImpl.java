package io.hvfabric.agent.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.agent.vsi.ConsoleTail;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.GetHostInfoRequest;
import io.hvfabric.proto.v1.HostInfo;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** What the scheduler may ask a node agent directly. */
public final class NodeServiceImpl extends NodeServiceGrpc.NodeServiceImplBase implements AutoCloseable {
    private final Supplier<HostInfo> hostInfo;
    private final Function<String, Path> consoleLogs;
    private final Predicate<String> assignedHere;
    private final ExecutorService consoleThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "console-tail");
        t.setDaemon(true);
        return t;
    });

    public NodeServiceImpl(Supplier<HostInfo> hostInfo, Function<String, Path> consoleLogs,
                           Predicate<String> assignedHere) {
        this.hostInfo = hostInfo;
        this.consoleLogs = consoleLogs;
        this.assignedHere = assignedHere;
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
        consoleThreads.execute(() -> {
            try {
                ConsoleTail.stream(consoleLogs.apply(name), request.getTailBytes(), request.getFollow(),
                        () -> assignedHere.test(name), out);
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
    public void close() {
        consoleThreads.shutdownNow();
    }
}
