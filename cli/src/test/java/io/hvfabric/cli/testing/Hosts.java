package io.hvfabric.cli.testing;

import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.Resources;

/** Small builder for test hosts. */
public final class Hosts {
    private Hosts() {}

    public static Host ready(String id, int vcpus, long memoryMib) {
        return Host.newBuilder()
                .setId(id)
                .setAddress("10.0.0." + (id.hashCode() & 0x7f) + ":7100")
                .setState(Host.State.READY)
                .setAccelerator("tcg")
                .setCapacity(Resources.newBuilder().setVcpus(vcpus).setMemoryMib(memoryMib).setNicMbps(10_000).setDiskGib(100).setVsiCount(32))
                .setAllocated(Resources.newBuilder())
                .setMembership("reachable")
                .setLeaseAlive(true)
                .setAdminState("READY")
                .build();
    }
}
