package io.hvfabric.scheduler.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A node agent's NodeService served in-process, answering GuestExec as scripted and StreamConsole with one chunk,
 * recording every call.
 */
final class FakeAgent extends NodeServiceGrpc.NodeServiceImplBase implements AutoCloseable {
    final List<ExecVsiRequest> execs = new CopyOnWriteArrayList<>();
    final List<ConsoleRequest> consoles = new CopyOnWriteArrayList<>();
    final List<String> addressesAsked = new CopyOnWriteArrayList<>();
    volatile ExecVsiResponse answer = ExecVsiResponse.newBuilder().setExited(true).build();
    volatile Status failure;

    private final String serverName = InProcessServerBuilder.generateName();
    private final Server server;
    private final ManagedChannel channel;

    FakeAgent() throws IOException {
        server = InProcessServerBuilder.forName(serverName).addService(this).build().start();
        channel = InProcessChannelBuilder.forName(serverName).build();
    }

    /** What the scheduler's agent channel cache would give for an address: here always this agent. */
    ManagedChannel channelFor(String address) {
        addressesAsked.add(address);
        return channel;
    }

    @Override
    public void guestExec(ExecVsiRequest request, StreamObserver<ExecVsiResponse> response) {
        execs.add(request);
        if (failure != null) {
            response.onError(failure.asRuntimeException());
            return;
        }
        response.onNext(answer);
        response.onCompleted();
    }

    @Override
    public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
        consoles.add(request);
        response.onNext(ConsoleChunk.newBuilder().setData(ByteString.copyFromUtf8("console of " + request.getName()))
                .build());
        response.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
