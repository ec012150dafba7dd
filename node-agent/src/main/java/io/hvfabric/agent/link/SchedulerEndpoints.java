package io.hvfabric.agent.link;

import io.grpc.ManagedChannel;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Channels to every scheduler replica; callers rotate to the next one when a replica is unavailable. */
public final class SchedulerEndpoints implements AutoCloseable {
    private final List<HostPort> addresses;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private int current;

    public SchedulerEndpoints(List<HostPort> addresses, Optional<TlsFiles> tls) {
        this.addresses = List.copyOf(addresses);
        for (HostPort address : addresses) {
            channels.add(GrpcTls.channel(address, tls));
        }
    }

    public synchronized ManagedChannel current() {
        return channels.get(current);
    }

    public synchronized HostPort currentAddress() {
        return addresses.get(current);
    }

    /** Moves to the next replica after {@code failed} proved unavailable (no-op if someone already moved on). */
    public synchronized void failover(ManagedChannel failed) {
        if (channels.get(current) == failed) {
            current = (current + 1) % channels.size();
        }
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
