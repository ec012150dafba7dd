package io.hvfabric.scheduler.volume;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.store.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A VSI's disks inside the decision that records (or removes) the VSI. Each named volume is read there, so the commit
 * compares it: two VSIs can never both attach one unshareable volume, and a volume delete racing the attach loses.
 * A local volume that has a host pins the VSI there (its data is there); one that has none yet is placed with the
 * VSI, its capacity counted in the placement and reserved on the chosen host in the same transaction. A refusal
 * throws before anything is written, so a refused create attaches and reserves nothing.
 */
public final class VsiDisks {
    /**
     * The spec with every disk's volume, id, size, kind and bus filled in; the host the volumes pin the VSI to, if
     * any; the GiB the placement must find for volumes that have no host yet; and the volumes to record.
     */
    public record Resolved(VsiSpec spec, Optional<String> pinnedHost, long newVolumeGib, List<Volume> volumes) {
        /**
         * Records every volume attached to {@code vsi} on {@code host}, reserving those new to the host in
         * {@code alloc}, and returns the allocation to write.
         */
        public HostAllocation attach(Records records, String vsi, String host, HostAllocation alloc) {
            HostAllocation next = alloc;
            for (Volume volume : volumes) {
                VolumeId id = VolumeId.of(volume);
                Volume.Builder attached = volume.toBuilder().addAttachedTo(vsi).setState(Volume.State.ATTACHED);
                if (volume.getHost().isEmpty()) {
                    attached.setHost(host);
                    next = HostVolumes.reserve(next, id.key(), volume.getSizeBytes());
                }
                records.put(Keys.Kind.VOLUME, id.key(), attached.build());
            }
            return next;
        }
    }

    private VsiDisks() {}

    /**
     * Resolves the disks of {@code spec} (validated by {@link VolumeSpecs#requestedDisks}): NOT_FOUND for a volume the
     * VSI's tenant does not have (another tenant's included, worded alike), ALREADY_EXISTS for a scratch name taken,
     * FAILED_PRECONDITION for an attached unshareable volume or volumes on different hosts (or not on the requested
     * one).
     */
    public static Resolved resolve(Records records, VsiSpec spec, com.google.protobuf.Timestamp now) {
        VsiSpec.Builder resolved = spec.toBuilder();
        List<Volume> volumes = new ArrayList<>();
        String pinned = null;
        String pinnedBy = null;
        long newGib = 0;
        for (int i = 0; i < spec.getDisksCount(); i++) {
            DiskSpec disk = spec.getDisks(i);
            Volume volume;
            if (disk.getNewSizeBytes() > 0) {
                VolumeId id = new VolumeId(spec.getTenant(), VolumeSpecs.scratchName(spec.getName(), i));
                if (records.get(Keys.Kind.VOLUME, id.key(), Volume.getDefaultInstance()).isPresent()) {
                    throw id.alreadyExists();
                }
                volume = Volume.newBuilder().setName(id.name()).setTenant(id.tenant()).setKind(Volume.Kind.LOCAL)
                        .setSizeBytes(disk.getNewSizeBytes()).setScratch(true).setCreatedAt(now)
                        .setState(Volume.State.AVAILABLE).build();
            } else {
                VolumeId id = VolumeId.ofDisk(spec, disk);
                volume = records.get(Keys.Kind.VOLUME, id.key(), Volume.getDefaultInstance())
                        .orElseThrow(id::notFound);
                if (volume.getAttachedToCount() > 0 && !volume.getShareable()) {
                    throw FabricException.failedPrecondition("%s is attached to vsi '%s'; a volume that is not "
                            + "shareable attaches to one VSI at a time", id.describe(), volume.getAttachedTo(0));
                }
            }
            if (!volume.getHost().isEmpty()) {
                String by = VolumeId.of(volume).describe();
                if (!spec.getHost().isEmpty() && !spec.getHost().equals(volume.getHost())) {
                    throw FabricException.failedPrecondition("%s lives on host '%s', not on the requested host '%s'",
                            by, volume.getHost(), spec.getHost());
                }
                if (pinned != null && !pinned.equals(volume.getHost())) {
                    throw FabricException.failedPrecondition("%s lives on host '%s' and %s on host '%s': one VSI's "
                            + "local volumes must be on one host", pinnedBy, pinned, by, volume.getHost());
                }
                pinned = volume.getHost();
                pinnedBy = by;
            } else {
                newGib += VolumeSpecs.reservedGib(volume.getSizeBytes());
            }
            volumes.add(volume);
            resolved.setDisks(i, disk.toBuilder()
                    .setVolume(volume.getName())
                    .setNewSizeBytes(0)
                    .setBus(VolumeSpecs.BUS_VIRTIO)
                    .setSizeBytes(volume.getSizeBytes())
                    .setKind(volume.getKind())
                    .setId(VolumeId.of(volume).key()));
        }
        return new Resolved(resolved.build(), Optional.ofNullable(pinned), newGib, volumes);
    }

    /**
     * Detaches the disks of {@code vsi}, in the decision that removes it: its scratch volumes are deleted with their
     * host's reservation; the others stay (on their host, reserved) and become available.
     */
    public static void release(Records records, VsiRecord vsi) {
        String name = vsi.getSpec().getName();
        for (DiskSpec disk : vsi.getSpec().getDisksList()) {
            VolumeId id = VolumeId.ofDisk(vsi.getSpec(), disk);
            Optional<Volume> found = records.get(Keys.Kind.VOLUME, id.key(), Volume.getDefaultInstance());
            if (found.isEmpty()) {
                continue;
            }
            Volume volume = found.get();
            if (volume.getScratch()) {
                VolumeOperations.remove(records, volume);
                continue;
            }
            List<String> attached = new ArrayList<>(volume.getAttachedToList());
            attached.remove(name);
            records.put(Keys.Kind.VOLUME, id.key(), volume.toBuilder().clearAttachedTo().addAllAttachedTo(attached)
                    .setState(attached.isEmpty() ? Volume.State.AVAILABLE : Volume.State.ATTACHED).build());
        }
    }

    /** The local disks of {@code spec}, as "vol (id)" names, for refusals of what they do not support yet. */
    public static List<String> localDisks(VsiSpec spec) {
        return spec.getDisksList().stream().filter(d -> d.getKind() == Volume.Kind.LOCAL).map(DiskSpec::getId)
                .toList();
    }
}
