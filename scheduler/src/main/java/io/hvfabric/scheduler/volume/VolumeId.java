package io.hvfabric.scheduler.volume;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.tenants.TenantObjectId;

/**
 * Which volume: a name within a tenant ({@link TenantObjectId}). {@link #key()} is the name under {@code volumes/}, and
 * the id hosts name the volume's file by ({@code DiskSpec.id}, {@code DesiredState.volumes}).
 */
public record VolumeId(String tenant, String name) {
    public VolumeId {
        tenant = object(tenant, name).tenant();
    }

    public static VolumeId of(Volume volume) {
        return new VolumeId(volume.getTenant(), volume.getName());
    }

    /** The volume a disk of {@code vsi} names: always one of the VSI's own tenant. */
    public static VolumeId ofDisk(VsiSpec vsi, DiskSpec disk) {
        return new VolumeId(vsi.getTenant(), disk.getVolume());
    }

    public String key() {
        return object(tenant, name).key();
    }

    public String tenantKey() {
        return object(tenant, name).tenantKey();
    }

    public boolean isSystem() {
        return object(tenant, name).isSystem();
    }

    public FabricException notFound() {
        return object(tenant, name).notFound();
    }

    public FabricException alreadyExists() {
        return object(tenant, name).alreadyExists();
    }

    /** "volume 'data' in tenant 'acme'". */
    public String describe() {
        return object(tenant, name).describe();
    }

    private static TenantObjectId object(String tenant, String name) {
        return new TenantObjectId("volume", tenant, name);
    }
}
