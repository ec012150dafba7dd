package io.hvfabric.scheduler.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.view.FeedDecider;
import io.hvfabric.scheduler.view.ViewFeed;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.hvfabric.scheduler.vsi.VsiOperations;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Volumes as leader decisions: creates, deletes refused while attached, grow-only resizes, and attachment in the
 * decision that records a VSI, which pins the VSI to a local volume's host, reserves a new local volume's capacity on
 * the chosen host in the same transaction, and reserves nothing when it is refused. h1 has 10 GiB of disk, h2 100.
 */
class VolumeOperationsTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private final ViewFeed feed = new ViewFeed();
    private final FeedDecider decider = new FeedDecider(feed);
    private final VolumeOperations volumes = new VolumeOperations(feed.keys(), decider);
    private final VsiOperations vsis = new VsiOperations(feed.view(), feed.keys(), decider,
            PlacementPipeline.fromConfig(PlacementConfig.DEFAULT), new PlacementInputs(feed.view(), List::of));

    @BeforeEach
    void cluster() {
        host("h1", 10);
        host("h2", 100);
        feed.put(Keys.Kind.IMAGE, "default", Image.newBuilder().setName("default").setKernel("/k").setInitrd("/i")
                .build());
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.TENANT, "beta", Tenant.newBuilder().setName("beta").build());
    }

    private void host(String id, long diskGib) {
        feed.put(Keys.Kind.HOST, id, HostRecord.newBuilder().setId(id).setAddress(id + ":7100")
                .setCapacity(Resources.newBuilder().setVcpus(16).setMemoryMib(65536).setDiskGib(diskGib)
                        .setNicMbps(10_000))
                .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg")).setAdminState("READY").build());
        feed.put(Keys.Kind.ALIVE, id, AliveRecord.newBuilder().setLeaseId(1).build());
    }

    private static Volume request(String tenant, String name, long bytes) {
        return Volume.newBuilder().setTenant(tenant).setName(name).setKind(Volume.Kind.LOCAL).setSizeBytes(bytes)
                .build();
    }

    private static VsiSpec.Builder vsi(String name, String tenant, DiskSpec.Builder... disks) {
        VsiSpec.Builder spec = VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(64).setTenant(tenant);
        for (DiskSpec.Builder disk : disks) {
            spec.addDisks(disk);
        }
        return spec;
    }

    private static DiskSpec.Builder disk(String volume) {
        return DiskSpec.newBuilder().setVolume(volume);
    }

    private static DiskSpec.Builder scratch(long bytes) {
        return DiskSpec.newBuilder().setNewSizeBytes(bytes);
    }

    private Volume stored(String key) {
        return feed.view().volume(key).map(Versioned::value).orElseThrow();
    }

    private HostAllocation allocation(String host) {
        return feed.view().allocation(host).map(Versioned::value).orElse(HostAllocation.getDefaultInstance());
    }

    private static void assertFabric(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static void assertFabricStarts(Runnable call, ErrorCode code, String prefix) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).startsWith(prefix);
        });
    }

    @Test
    void aCreatedVolumeIsAvailableWithNoHostAndReservesNothing() {
        Volume data = volumes.create(null, request("acme", "data", 64 * MIB));

        assertThat(data.getState()).isEqualTo(Volume.State.AVAILABLE);
        assertThat(data.getHost()).isEmpty();
        assertThat(data.hasCreatedAt()).isTrue();
        assertThat(stored("acme/data")).isEqualTo(data);
        assertThat(feed.view().tenantUsage("acme")).as("touched, so a tenant delete racing it fails").isPresent();
        assertThat(allocation("h1").getVolumesList()).isEmpty();
        assertThat(allocation("h2").getVolumesList()).isEmpty();
    }

    @Test
    void duplicatesMissingTenantsNetworkKindAndBadSizesAreRefusedAndStoreNothing() {
        volumes.create(null, request("acme", "data", 64 * MIB));

        assertFabric(() -> volumes.create(null, request("acme", "data", 64 * MIB)), ErrorCode.ALREADY_EXISTS,
                "volume 'data' in tenant 'acme' already exists");
        assertFabric(() -> volumes.create(null, request("ghost", "data", 64 * MIB)), ErrorCode.NOT_FOUND,
                "tenant 'ghost' not found");
        assertFabric(() -> volumes.create(null, request("acme", "net", 64 * MIB).toBuilder()
                        .setKind(Volume.Kind.NETWORK).build()), ErrorCode.FAILED_PRECONDITION,
                "volume.kind NETWORK: no storage server registered (only LOCAL volumes are served)");
        assertFabric(() -> volumes.create(null, request("acme", "odd", 64 * MIB + 1)), ErrorCode.INVALID_ARGUMENT,
                "field 'volume.size_bytes': must be a multiple of 1 MiB (1048576 bytes), 1 MiB .. 16 TiB (got 67108865)");
        assertFabric(() -> volumes.create(null, request("acme", "huge", 17L << 40)), ErrorCode.INVALID_ARGUMENT,
                "field 'volume.size_bytes': must be a multiple of 1 MiB (1048576 bytes), 1 MiB .. 16 TiB (got 18691697672192)");
        assertFabric(() -> volumes.create(null, request("acme", "shared", 64 * MIB).toBuilder().setShareable(true)
                        .build()), ErrorCode.INVALID_ARGUMENT,
                "field 'volume.shareable': only a network volume may be shareable: a local volume attaches to one VSI");
        assertFabric(() -> volumes.create(null, request("acme", "pinned", 64 * MIB).toBuilder().setHost("h1")
                .build()), ErrorCode.INVALID_ARGUMENT,
                "field 'volume.host': is assigned by the fabric; leave it empty (got 'h1')");
        assertFabricStarts(() -> volumes.create(null, request("acme", "Bad_Name", 64 * MIB)),
                ErrorCode.INVALID_ARGUMENT, "field 'volume.name': ");
        assertThat(feed.view().volumes()).hasSize(1);
    }

    @Test
    void aVsiAttachesAVolumeWhichTakesItsHostAndIsReservedThereInTheSameTransaction() {
        volumes.create(null, request("acme", "data", 3 * GIB));

        Vsi created = vsis.create(null, vsi("a-1", "acme", disk("data")).build());

        Volume data = stored("acme/data");
        assertThat(data.getHost()).isEqualTo(created.getHost());
        assertThat(data.getAttachedToList()).containsExactly("a-1");
        assertThat(data.getState()).isEqualTo(Volume.State.ATTACHED);
        HostAllocation alloc = allocation(created.getHost());
        assertThat(alloc.getVolumesList()).containsExactly("acme/data");
        assertThat(alloc.getAllocated().getDiskGib()).isEqualTo(3);
        DiskSpec recorded = feed.view().vsi("a-1").orElseThrow().value().getSpec().getDisks(0);
        assertThat(recorded).isEqualTo(DiskSpec.newBuilder().setVolume("data").setBus("virtio")
                .setSizeBytes(3 * GIB).setKind(Volume.Kind.LOCAL).setId("acme/data").build());
        assertThat(new DesiredStates(feed.view()).desiredFor(created.getHost()).getVolumesList())
                .containsExactly("acme/data");
    }

    @Test
    void aVolumeLargerThanEveryHostsFreeDiskIsRefusedAndReservesNothing() {
        volumes.create(null, request("acme", "big", 200 * GIB));

        assertThatThrownBy(() -> vsis.create(null, vsi("a-1", "acme", disk("big")).build()))
                .isInstanceOfSatisfying(FabricException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));

        assertThat(stored("acme/big").getHost()).isEmpty();
        assertThat(stored("acme/big").getAttachedToList()).isEmpty();
        assertThat(feed.view().vsi("a-1")).isEmpty();
        assertThat(allocation("h1").getAllocated().getDiskGib()).isZero();
        assertThat(allocation("h2").getAllocated().getDiskGib()).isZero();
    }

    @Test
    void aRefusedCreateAttachesAndReservesNothing() {
        volumes.create(null, request("acme", "data", GIB));

        // The second disk names a volume the tenant does not have: the whole create is refused.
        assertFabric(() -> vsis.create(null, vsi("a-1", "acme", disk("data"), disk("missing")).build()),
                ErrorCode.NOT_FOUND, "volume 'missing' in tenant 'acme' not found");

        assertThat(stored("acme/data").getHost()).isEmpty();
        assertThat(stored("acme/data").getAttachedToList()).isEmpty();
        assertThat(allocation("h1").getVolumesList()).isEmpty();
        assertThat(allocation("h2").getVolumesList()).isEmpty();
    }

    @Test
    void anotherTenantsVolumeIsNotFoundWordedAsAMissingOne() {
        volumes.create(null, request("acme", "data", GIB));

        assertFabric(() -> vsis.create(null, vsi("b-1", "beta", disk("data")).build()), ErrorCode.NOT_FOUND,
                "volume 'data' in tenant 'beta' not found");
        assertFabric(() -> vsis.create(null, vsi("s-1", "", disk("data")).build()), ErrorCode.NOT_FOUND,
                "volume 'data' in tenant 'system' not found");
        assertThat(stored("acme/data").getAttachedToList()).isEmpty();
    }

    @Test
    void anAttachedVolumeAttachesNowhereElseAndIsNotDeletedOrResized() {
        volumes.create(null, request("acme", "data", GIB));
        vsis.create(null, vsi("a-1", "acme", disk("data")).build());

        assertFabric(() -> vsis.create(null, vsi("a-2", "acme", disk("data")).build()),
                ErrorCode.FAILED_PRECONDITION, "volume 'data' in tenant 'acme' is attached to vsi 'a-1'; a volume "
                        + "that is not shareable attaches to one VSI at a time");
        assertFabric(() -> volumes.delete(null, new VolumeId("acme", "data")), ErrorCode.FAILED_PRECONDITION,
                "volume 'data' in tenant 'acme' is attached to vsi 'a-1'; delete the VSI first");
        assertFabric(() -> volumes.resize(null, new VolumeId("acme", "data"), 2 * GIB),
                ErrorCode.FAILED_PRECONDITION, "volume 'data' in tenant 'acme' is attached to vsi 'a-1'; resize it "
                        + "while no VSI has it attached");
        assertThat(feed.view().vsi("a-2")).isEmpty();
        assertThat(stored("acme/data").getSizeBytes()).isEqualTo(GIB);
    }

    @Test
    void aDetachedVolumeKeepsItsHostAndReservationAndPinsItsNextVsiThere() {
        volumes.create(null, request("acme", "data", GIB));
        String host = vsis.create(null, vsi("a-1", "acme", disk("data")).build()).getHost();
        vsis.delete(null, "a-1", TenantScope.all());

        Volume data = stored("acme/data");
        assertThat(data.getAttachedToList()).isEmpty();
        assertThat(data.getState()).isEqualTo(Volume.State.AVAILABLE);
        assertThat(data.getHost()).as("its data is there").isEqualTo(host);
        assertThat(allocation(host).getVolumesList()).containsExactly("acme/data");
        assertThat(allocation(host).getAllocated().getDiskGib()).isEqualTo(1);

        String other = host.equals("h1") ? "h2" : "h1";
        assertFabric(() -> vsis.create(null, vsi("a-2", "acme", disk("data")).setHost(other).build()),
                ErrorCode.FAILED_PRECONDITION,
                "volume 'data' in tenant 'acme' lives on host '" + host + "', not on the requested host '" + other
                        + "'");
        assertThat(vsis.create(null, vsi("a-3", "acme", disk("data")).build()).getHost()).isEqualTo(host);
        assertThat(allocation(host).getAllocated().getDiskGib()).as("reserved once").isEqualTo(1);
    }

    @Test
    void volumesOnTwoHostsCannotJoinOneVsi() {
        volumes.create(null, request("acme", "one", GIB));
        volumes.create(null, request("acme", "two", GIB));
        vsis.create(null, vsi("a-1", "acme", disk("one")).setHost("h1").build());
        vsis.create(null, vsi("a-2", "acme", disk("two")).setHost("h2").build());
        vsis.delete(null, "a-1", TenantScope.all());
        vsis.delete(null, "a-2", TenantScope.all());

        assertFabric(() -> vsis.create(null, vsi("a-3", "acme", disk("one"), disk("two")).build()),
                ErrorCode.FAILED_PRECONDITION, "volume 'one' in tenant 'acme' lives on host 'h1' and volume 'two' in "
                        + "tenant 'acme' on host 'h2': one VSI's local volumes must be on one host");
    }

    @Test
    void aScratchDiskIsCreatedWithTheVsiAndDeletedWithItFreeingItsReservation() {
        Vsi created = vsis.create(null, vsi("a-1", "acme", scratch(64 * MIB), scratch(2 * GIB)).build());

        assertThat(stored("acme/a-1-disk0").getScratch()).isTrue();
        assertThat(stored("acme/a-1-disk0").getHost()).isEqualTo(created.getHost());
        assertThat(stored("acme/a-1-disk1").getSizeBytes()).isEqualTo(2 * GIB);
        assertThat(allocation(created.getHost()).getVolumesList()).containsExactly("acme/a-1-disk0", "acme/a-1-disk1");
        assertThat(allocation(created.getHost()).getAllocated().getDiskGib()).as("1 (64 MiB rounded up) + 2")
                .isEqualTo(3);

        vsis.delete(null, "a-1", TenantScope.all());

        assertThat(feed.view().volume("acme/a-1-disk0")).isEmpty();
        assertThat(feed.view().volume("acme/a-1-disk1")).isEmpty();
        assertThat(allocation(created.getHost()).getVolumesList()).isEmpty();
        assertThat(allocation(created.getHost()).getAllocated().getDiskGib()).isZero();
    }

    @Test
    void deleteFreesTheHostsReservation() {
        volumes.create(null, request("acme", "data", 5 * GIB));
        String host = vsis.create(null, vsi("a-1", "acme", disk("data")).build()).getHost();
        vsis.delete(null, "a-1", TenantScope.all());

        volumes.delete(null, new VolumeId("acme", "data"));

        assertThat(feed.view().volume("acme/data")).isEmpty();
        assertThat(allocation(host).getVolumesList()).isEmpty();
        assertThat(allocation(host).getAllocated().getDiskGib()).isZero();
        assertThat(new DesiredStates(feed.view()).desiredFor(host).getVolumesList()).isEmpty();
    }

    @Test
    void aResizeOnlyGrowsAndGrowsTheReservationWithinTheHostsDisk() {
        volumes.create(null, request("acme", "data", GIB));
        vsis.create(null, vsi("a-1", "acme", disk("data")).setHost("h1").build());
        vsis.delete(null, "a-1", TenantScope.all());
        VolumeId id = new VolumeId("acme", "data");

        assertFabric(() -> volumes.resize(null, id, GIB), ErrorCode.INVALID_ARGUMENT,
                "field 'size_bytes': must be larger than the volume's 1073741824 bytes: volumes only grow (got 1073741824)");
        assertFabric(() -> volumes.resize(null, id, 11 * GIB), ErrorCode.RESOURCE_EXHAUSTED,
                "host 'h1' holding volume 'data' in tenant 'acme' has 9 GiB of disk free, the resize needs 10 GiB "
                        + "more");
        Volume grown = volumes.resize(null, id, 4 * GIB);

        assertThat(grown.getSizeBytes()).isEqualTo(4 * GIB);
        assertThat(allocation("h1").getAllocated().getDiskGib()).isEqualTo(4);
        volumes.delete(null, id);
        assertThat(allocation("h1").getAllocated().getDiskGib()).as("the grown reservation freed").isZero();
    }

    @Test
    void requestedDisksAreValidatedNamingTheField() {
        assertFabric(() -> vsis.create(null, vsi("a-1", "acme", DiskSpec.newBuilder()).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[0]': must name a volume of the VSI's tenant or ask for "
                        + "new_size_bytes (a new scratch volume), exactly one of them");
        assertFabric(() -> vsis.create(null, vsi("a-1", "acme", disk("d"), disk("d")).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[1].volume': must differ from disks[0].volume: a volume attaches "
                        + "to a VSI once (got 'd' twice)");
        assertFabric(() -> vsis.create(null, vsi("a-1", "acme", disk("d").setBus("ide")).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[0].bus': must be 'virtio' (got 'ide')");
        assertFabricStarts(() -> vsis.create(null, vsi("a-1", "acme", disk("../x")).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[0].volume': ");
        assertFabric(() -> vsis.create(null, vsi("a-1", "acme", disk("d").setId("beta/d")).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[0].size_bytes': size_bytes, kind and id are assigned by the fabric "
                        + "from the volume; leave them unset");
        assertFabric(() -> vsis.create(null, vsi("a-1", "acme", scratch(1000)).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[0].new_size_bytes': must be a multiple of 1 MiB (1048576 bytes), "
                        + "1 MiB .. 16 TiB (got 1000)");
        String longName = "v".repeat(60);
        assertFabric(() -> vsis.create(null, vsi(longName, "acme", scratch(1L << 20)).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'disks[0].new_size_bytes': names its scratch volume '" + longName
                        + "-dis…', longer than 63 characters: use a shorter VSI name or a named volume"); // quoted to 64
        assertThat(feed.view().volumes()).isEmpty();
        assertThat(feed.view().vsi("a-1")).isEmpty();
    }

    @Test
    void hostVolumesReserveOnceAndReleaseOnlyWhatTheyHold() {
        HostAllocation alloc = HostVolumes.reserve(HostAllocation.getDefaultInstance(), "acme/a", GIB + 1);
        assertThat(alloc.getAllocated().getDiskGib()).isEqualTo(2);
        assertThat(HostVolumes.reserve(alloc, "acme/a", GIB + 1)).isEqualTo(alloc);
        assertThat(HostVolumes.release(alloc, "acme/b", GIB)).isEqualTo(alloc);
        assertThat(HostVolumes.release(alloc, "acme/a", GIB + 1).getAllocated().getDiskGib()).isZero();
        assertThat(Optional.of(VolumeSpecs.reservedGib(64 * MIB))).contains(1L);
    }
}
