package io.hvfabric.scheduler.hosts;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import java.util.Optional;

/**
 * Derives what operators see of a host from what etcd holds: the registered record, the liveness key and the
 * allocation sum, plus the gossip view. Liveness wins over intent: a host whose lease expired is DOWN whatever its
 * admin state; a host whose lease lives but that gossip finds unreachable is NOT_READY.
 */
public final class HostStates {
    public static final String ADMIN_READY = "READY";

    private HostStates() {}

    public static Host.State derive(HostRecord record, boolean leaseAlive, String membership) {
        if (!leaseAlive) {
            return Host.State.DOWN;
        }
        String admin = record.getAdminState().isEmpty() ? ADMIN_READY : record.getAdminState();
        if (!ADMIN_READY.equals(admin)) {
            return Host.State.valueOf(admin);
        }
        if ("unreachable".equals(membership)) {
            return Host.State.NOT_READY;
        }
        return Host.State.READY;
    }

    public static Host toHost(
            HostRecord record, Optional<AliveRecord> alive, Optional<HostAllocation> allocation, String membership) {
        HostAllocation alloc = allocation.orElse(HostAllocation.getDefaultInstance());
        Resources allocated = alloc.hasAllocated() ? alloc.getAllocated() : Resources.getDefaultInstance();
        Host.Builder host = Host.newBuilder()
                .setId(record.getId())
                .setAddress(record.getAddress())
                .setState(derive(record, alive.isPresent(), membership))
                .setAdminState(record.getAdminState().isEmpty() ? ADMIN_READY : record.getAdminState())
                .setAccelerator(record.getCapabilities().getAccelerator())
                .setCapacity(record.getCapacity())
                .setAllocated(allocated.toBuilder().setVsiCount(alloc.getVsisCount()))
                .setVsiCount(alloc.getVsisCount())
                .setCapabilities(record.getCapabilities())
                .putAllLabels(record.getLabelsMap())
                .setLeaseAlive(alive.isPresent())
                .setMembership(membership)
                .setMetricsAddress(record.getMetricsAddress())
                .addAllVsis(alloc.getVsisList());
        if (record.hasRegisteredAt()) {
            host.setRegisteredAt(record.getRegisteredAt());
        }
        alive.ifPresent(a -> {
            host.setUsage(a.getUsage());
            if (a.hasLastHeartbeat()) {
                host.setLastHeartbeat(a.getLastHeartbeat());
            }
        });
        return host.build();
    }
}
