package io.hvfabric.scheduler.volume;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.leader.loop.Decider;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.tenants.TenantFence;

/**
 * The leader's volume decisions, on the leader loop like VSI and network decisions. A create records an available
 * volume with no host (a local one gets the host of the VSI it first attaches to, {@link VsiDisks}); a delete is
 * refused while a VSI has it attached and frees its host's reservation in the transaction that removes it; a resize
 * only grows, and only a volume no VSI has attached (its host's reservation grows with it, within the host's disk).
 */
public final class VolumeOperations {
    private final Keys keys;
    private final Decider decider;

    public VolumeOperations(Keys keys, Decider decider) {
        this.keys = keys;
        this.decider = decider;
    }

    /**
     * Validates {@code requested} (its tenant as the caller's principal allows: see the gRPC layer) and records it.
     * NOT_FOUND without the tenant, ALREADY_EXISTS for a name the tenant has.
     */
    public Volume create(Term term, Volume requested) {
        Volume valid = VolumeSpecs.validate(requested);
        VolumeId id = VolumeId.of(valid);
        return decider.decide(term, context -> {
            Records records = new Records(context, keys);
            if (!id.isSystem()) {
                TenantFence.require(records, id.tenant());
            }
            if (records.get(Keys.Kind.VOLUME, id.key(), Volume.getDefaultInstance()).isPresent()) {
                throw id.alreadyExists();
            }
            Volume volume = valid.toBuilder().setCreatedAt(Times.now()).build();
            records.put(Keys.Kind.VOLUME, id.key(), volume);
            return volume;
        });
    }

    /** Removes the volume and its host's reservation; FAILED_PRECONDITION naming the VSI while one has it attached. */
    public void delete(Term term, VolumeId id) {
        decider.decide(term, context -> {
            Records records = new Records(context, keys);
            Volume volume = records.get(Keys.Kind.VOLUME, id.key(), Volume.getDefaultInstance())
                    .orElseThrow(id::notFound);
            if (volume.getAttachedToCount() > 0) {
                throw FabricException.failedPrecondition("%s is attached to vsi '%s'; delete the VSI first",
                        id.describe(), String.join("', '", volume.getAttachedToList()));
            }
            remove(records, volume);
            return null;
        });
    }

    /**
     * Grows the volume to {@code sizeBytes}: INVALID_ARGUMENT unless larger (volumes only grow), FAILED_PRECONDITION
     * while attached, RESOURCE_EXHAUSTED when its host's disk cannot hold the growth.
     */
    public Volume resize(Term term, VolumeId id, long sizeBytes) {
        VolumeSpecs.size("size_bytes", sizeBytes);
        return decider.decide(term, context -> {
            Records records = new Records(context, keys);
            Volume volume = records.get(Keys.Kind.VOLUME, id.key(), Volume.getDefaultInstance())
                    .orElseThrow(id::notFound);
            if (sizeBytes <= volume.getSizeBytes()) {
                throw FabricException.invalidArgument("size_bytes", "must be larger than the volume's %d bytes: "
                        + "volumes only grow (got %d)", volume.getSizeBytes(), sizeBytes);
            }
            if (volume.getAttachedToCount() > 0) {
                throw FabricException.failedPrecondition("%s is attached to vsi '%s'; resize it while no VSI has it "
                        + "attached", id.describe(), volume.getAttachedTo(0));
            }
            long growth = HostVolumes.growthGib(volume.getSizeBytes(), sizeBytes);
            if (!volume.getHost().isEmpty() && growth > 0) {
                String host = volume.getHost();
                HostAllocation alloc = records.get(Keys.Kind.HOST_ALLOCATION, host, HostAllocation.getDefaultInstance())
                        .orElse(HostAllocation.getDefaultInstance());
                long capacity = records.get(Keys.Kind.HOST, host, HostRecord.getDefaultInstance())
                        .map(h -> h.getCapacity().getDiskGib()).orElse(0L);
                long free = capacity - alloc.getAllocated().getDiskGib();
                if (growth > free) {
                    throw FabricException.resourceExhausted("host '%s' holding %s has %d GiB of disk free, the "
                            + "resize needs %d GiB more", host, id.describe(), Math.max(0, free), growth);
                }
                records.put(Keys.Kind.HOST_ALLOCATION, host, HostVolumes.grow(alloc, growth));
            }
            Volume next = volume.toBuilder().setSizeBytes(sizeBytes).build();
            records.put(Keys.Kind.VOLUME, id.key(), next);
            return next;
        });
    }

    /** Deletes {@code volume}'s record and its host's reservation, in the calling decision. */
    static void remove(Records records, Volume volume) {
        VolumeId id = VolumeId.of(volume);
        if (!volume.getHost().isEmpty()) {
            records.get(Keys.Kind.HOST_ALLOCATION, volume.getHost(), HostAllocation.getDefaultInstance())
                    .ifPresent(alloc -> records.put(Keys.Kind.HOST_ALLOCATION, volume.getHost(),
                            HostVolumes.release(alloc, id.key(), volume.getSizeBytes())));
        }
        records.delete(Keys.Kind.VOLUME, id.key());
    }
}
