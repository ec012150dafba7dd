package io.hvfabric.scheduler.volume;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.Volume;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one validation of volume create and resize requests and of a VSI request's disks: each error names the field
 * and the rule. What the fabric assigns (host, attachments, state, creation time, a disk's size, kind and id) a request
 * must leave out.
 */
public final class VolumeSpecs {
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    /** qcow2 and virtio-blk take far more; 16 TiB bounds what one request can reserve. */
    public static final long MAX_SIZE_BYTES = 16L << 40;
    /** As many as the VSI could have PCI slots for, with room to spare. */
    public static final int MAX_DISKS = 16;
    public static final String BUS_VIRTIO = "virtio";

    private VolumeSpecs() {}

    /** The volume as it will be stored, but for its creation time; NETWORK is refused (no storage server yet). */
    public static Volume validate(Volume requested) {
        FieldRules.dnsLabel("volume.name", requested.getName());
        FieldRules.optionalDnsLabel("volume.tenant", requested.getTenant());
        Volume.Kind kind = requested.getKind() == Volume.Kind.KIND_UNSPECIFIED ? Volume.Kind.LOCAL : requested.getKind();
        if (kind != Volume.Kind.LOCAL && kind != Volume.Kind.NETWORK) {
            throw FabricException.invalidArgument("volume.kind", "must be LOCAL or NETWORK (got %s)",
                    requested.getKindValue());
        }
        size("volume.size_bytes", requested.getSizeBytes());
        if (requested.getShareable() && kind == Volume.Kind.LOCAL) {
            throw FabricException.invalidArgument("volume.shareable",
                    "only a network volume may be shareable: a local volume attaches to one VSI");
        }
        assigned("volume.host", requested.getHost());
        if (requested.getAttachedToCount() > 0) {
            throw FabricException.invalidArgument("volume.attached_to",
                    "is recorded by the fabric when a VSI attaches it; leave it empty");
        }
        if (requested.getState() != Volume.State.STATE_UNSPECIFIED || requested.hasCreatedAt()
                || requested.getScratch()) {
            throw FabricException.invalidArgument("volume.state",
                    "state, created_at and scratch are set by the fabric; leave them unset");
        }
        if (kind == Volume.Kind.NETWORK) {
            throw FabricException.failedPrecondition(
                    "volume.kind NETWORK: no storage server registered (only LOCAL volumes are served)");
        }
        return Volume.newBuilder()
                .setName(requested.getName())
                .setTenant(new VolumeId(requested.getTenant(), requested.getName()).tenant())
                .setKind(kind)
                .setSizeBytes(requested.getSizeBytes())
                .setShareable(requested.getShareable())
                .setState(Volume.State.AVAILABLE)
                .build();
    }

    /** A volume or disk size: a positive multiple of 1 MiB, at most 16 TiB. */
    public static long size(String field, long bytes) {
        if (bytes <= 0 || bytes > MAX_SIZE_BYTES || bytes % MIB != 0) {
            throw FabricException.invalidArgument(field, "must be a multiple of 1 MiB (1048576 bytes), 1 MiB .. 16 TiB"
                    + " (got %d)", bytes);
        }
        return bytes;
    }

    /** What the host reserves for a local volume: its size in whole GiB, rounded up. */
    public static long reservedGib(long sizeBytes) {
        return (sizeBytes + GIB - 1) / GIB;
    }

    /**
     * A VSI request's disks: each names a volume (a DNS label, at most once) or asks for a new scratch one of
     * {@code new_size_bytes}, not both, whose name "&lt;vsi&gt;-disk&lt;N&gt;" must be a DNS label too; bus virtio; what the fabric
     * assigns left out.
     */
    public static void requestedDisks(String vsi, List<DiskSpec> disks) {
        if (disks.size() > MAX_DISKS) {
            throw FabricException.invalidArgument("disks", "must hold at most %d disks (got %d)", MAX_DISKS,
                    disks.size());
        }
        Map<String, Integer> byVolume = new HashMap<>();
        for (int i = 0; i < disks.size(); i++) {
            DiskSpec disk = disks.get(i);
            String at = "disks[" + i + "]";
            boolean named = !disk.getVolume().isEmpty();
            boolean fresh = disk.getNewSizeBytes() != 0;
            if (named == fresh) {
                throw FabricException.invalidArgument(at, "must name a volume of the VSI's tenant or ask for "
                        + "new_size_bytes (a new scratch volume), exactly one of them");
            }
            if (named) {
                FieldRules.dnsLabel(at + ".volume", disk.getVolume());
                Integer first = byVolume.putIfAbsent(disk.getVolume(), i);
                if (first != null) {
                    throw FabricException.invalidArgument(at + ".volume", "must differ from disks[%d].volume: a "
                            + "volume attaches to a VSI once (got '%s' twice)", first, disk.getVolume());
                }
            } else {
                size(at + ".new_size_bytes", disk.getNewSizeBytes());
                String scratch = scratchName(vsi, i);
                if (scratch.length() > FieldRules.MAX_DNS_LABEL) {
                    throw FabricException.invalidArgument(at + ".new_size_bytes", "names its scratch volume '%s', "
                            + "longer than %d characters: use a shorter VSI name or a named volume", scratch,
                            FieldRules.MAX_DNS_LABEL);
                }
            }
            if (!disk.getBus().isEmpty() && !BUS_VIRTIO.equals(disk.getBus())) {
                throw FabricException.invalidArgument(at + ".bus", "must be '%s' (got '%s')", BUS_VIRTIO,
                        disk.getBus());
            }
            if (disk.getSizeBytes() != 0 || disk.getKind() != Volume.Kind.KIND_UNSPECIFIED || !disk.getId().isEmpty()) {
                throw FabricException.invalidArgument(at + ".size_bytes",
                        "size_bytes, kind and id are assigned by the fabric from the volume; leave them unset");
            }
        }
    }

    /** The name of the scratch volume of a VSI's disk {@code index}: "&lt;vsi&gt;-disk&lt;index&gt;". */
    public static String scratchName(String vsi, int index) {
        return vsi + "-disk" + index;
    }

    private static void assigned(String field, String value) {
        if (!value.isEmpty()) {
            throw FabricException.invalidArgument(field, "is assigned by the fabric; leave it empty (got '%s')",
                    value);
        }
    }
}
