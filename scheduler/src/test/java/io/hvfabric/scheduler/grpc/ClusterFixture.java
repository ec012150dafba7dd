package io.hvfabric.scheduler.grpc;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A small mutable cluster for {@link GuestExecRelay}: VSIs, hosts, alive records and gossip reachability. */
final class ClusterFixture implements GuestExecRelay.Lookup {
    final Map<String, VsiRecord> vsis = new HashMap<>();
    final Map<String, HostRecord> hosts = new HashMap<>();
    final Map<String, AliveRecord> alive = new HashMap<>();
    final Map<String, String> membership = new HashMap<>();

    /** A host with a live lease, reachable by gossip. */
    ClusterFixture host(String id, String address) {
        hosts.put(id, HostRecord.newBuilder().setId(id).setAddress(address).build());
        alive.put(id, AliveRecord.newBuilder().setLeaseId(1).build());
        membership.put(id, "reachable");
        return this;
    }

    ClusterFixture vsi(String name, String host, Vsi.State state) {
        vsis.put(name, VsiRecord.newBuilder().setSpec(VsiSpec.newBuilder().setName(name)).setHost(host)
                .setState(state).setDesired("RUNNING").build());
        return this;
    }

    ClusterFixture guest(String host, String name, GuestStatus guest) {
        alive.put(host, alive.get(host).toBuilder().putGuests(name, guest).build());
        return this;
    }

    @Override
    public Optional<VsiRecord> vsi(String name) {
        return Optional.ofNullable(vsis.get(name));
    }

    @Override
    public Optional<HostRecord> host(String id) {
        return Optional.ofNullable(hosts.get(id));
    }

    @Override
    public Optional<AliveRecord> alive(String hostId) {
        return Optional.ofNullable(alive.get(hostId));
    }

    @Override
    public String membership(String hostId) {
        return membership.getOrDefault(hostId, "unknown");
    }
}
