package io.hvfabric.scheduler.migrate;

import io.grpc.ManagedChannel;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** gRPC channels from this replica to node agents, one per agent address, created on first use. */
public final class AgentChannels implements AutoCloseable {
    private final ClusterView view;
    private final Function<String, ManagedChannel> factory;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public AgentChannels(ClusterView view, Function<String, ManagedChannel> factory) {
        this.view = view;
        this.factory = factory;
    }

    public ManagedChannel forHost(String hostId) {
        HostRecord host = view.host(hostId)
                .orElseThrow(() -> FabricException.notFound("host", hostId))
                .value();
        return forAddress(host.getAddress());
    }

    public ManagedChannel forAddress(String address) {
        return channels.computeIfAbsent(address, factory);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
