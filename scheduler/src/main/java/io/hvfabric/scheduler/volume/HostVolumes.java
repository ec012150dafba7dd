package io.hvfabric.scheduler.volume;

import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.Resources;
import java.util.ArrayList;
import java.util.List;

/**
 * A host's reservation for the local volumes it holds: each volume's id in {@code HostAllocation.volumes} and its size
 * (whole GiB, rounded up) in {@code allocated.disk_gib}, from its first attachment until it is deleted.
 */
public final class HostVolumes {
    private HostVolumes() {}

    /** {@code alloc} with {@code id} reserved ({@code sizeBytes}); unchanged if it already holds it. */
    public static HostAllocation reserve(HostAllocation alloc, String id, long sizeBytes) {
        if (alloc.getVolumesList().contains(id)) {
            return alloc;
        }
        Resources r = alloc.getAllocated();
        return alloc.toBuilder()
                .setAllocated(r.toBuilder().setDiskGib(r.getDiskGib() + VolumeSpecs.reservedGib(sizeBytes)))
                .addVolumes(id)
                .build();
    }

    /** {@code alloc} without {@code id}'s reservation; unchanged if it does not hold it. */
    public static HostAllocation release(HostAllocation alloc, String id, long sizeBytes) {
        if (!alloc.getVolumesList().contains(id)) {
            return alloc;
        }
        List<String> volumes = new ArrayList<>(alloc.getVolumesList());
        volumes.remove(id);
        Resources r = alloc.getAllocated();
        return alloc.toBuilder()
                .setAllocated(r.toBuilder().setDiskGib(Math.max(0, r.getDiskGib() - VolumeSpecs.reservedGib(sizeBytes))))
                .clearVolumes()
                .addAllVolumes(volumes)
                .build();
    }

    /** The reservation of a volume grown from {@code fromBytes} to {@code toBytes}, in GiB (0 within the same GiB). */
    public static long growthGib(long fromBytes, long toBytes) {
        return VolumeSpecs.reservedGib(toBytes) - VolumeSpecs.reservedGib(fromBytes);
    }

    public static HostAllocation grow(HostAllocation alloc, long gib) {
        Resources r = alloc.getAllocated();
        return alloc.toBuilder().setAllocated(r.toBuilder().setDiskGib(r.getDiskGib() + gib)).build();
    }
}
