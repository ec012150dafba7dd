package io.hvfabric.cli.client;

import io.grpc.ManagedChannel;

/** Opens a channel to one scheduler endpoint; real sockets in production, in-process in tests. */
public interface ChannelFactory {
    ManagedChannel open(Endpoint endpoint, TransportSecurity security);
}
