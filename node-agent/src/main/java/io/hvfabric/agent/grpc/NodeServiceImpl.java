package io.hvfabric.agent.grpc;

import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.GetHostInfoRequest;
import io.hvfabric.proto.v1.HostInfo;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import java.util.function.Supplier;

/** What the scheduler may ask a node agent directly. */
public final class NodeServiceImpl extends NodeServiceGrpc.NodeServiceImplBase {
    private final Supplier<HostInfo> hostInfo;

    public NodeServiceImpl(Supplier<HostInfo> hostInfo) {
        this.hostInfo = hostInfo;
    }

    @Override
    public void getHostInfo(GetHostInfoRequest request, StreamObserver<HostInfo> response) {
        response.onNext(hostInfo.get());
        response.onCompleted();
    }
}
