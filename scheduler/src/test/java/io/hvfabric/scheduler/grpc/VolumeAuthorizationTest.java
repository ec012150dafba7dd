package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Status;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.DeleteVolumeResponse;
import io.hvfabric.proto.v1.ListVolumesRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.ResizeVolumeRequest;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.FeedDecider;
import io.hvfabric.scheduler.view.ViewFeed;
import io.hvfabric.scheduler.volume.VolumeOperations;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The volume RPCs on a leading replica (the real OperatorServiceImpl behind the production interceptors, its writes
 * decided over a view): operators act in any tenant (none named: "system"), a tenant's principal in its own only;
 * creating in another tenant is PERMISSION_DENIED, reading, resizing or deleting another tenant's volume is NOT_FOUND
 * worded as a missing one (and changes nothing), and a listing shows a tenant only its own.
 */
@Timeout(20)
class VolumeAuthorizationTest {
    private static final long GIB = 1L << 30;

    private final ViewFeed feed = new ViewFeed();
    private final TenantObjectReplica replica = new TenantObjectReplica(feed, forwarding ->
            new OperatorServiceImpl.Writes(forwarding, null, null, address -> null,
                    null, null, null, null, null, null, null, null, null,
                    new VolumeOperations(feed.keys(), new FeedDecider(feed))));

    @BeforeEach
    void cluster() {
        feed.put(Keys.Kind.VOLUME, "beta/secret", Volume.newBuilder().setName("secret").setTenant("beta")
                .setKind(Volume.Kind.LOCAL).setSizeBytes(GIB).setState(Volume.State.AVAILABLE).build());
        feed.put(Keys.Kind.VOLUME, "system/ops", Volume.newBuilder().setName("ops")
                .setKind(Volume.Kind.LOCAL).setSizeBytes(GIB).setState(Volume.State.AVAILABLE).build());
    }

    @AfterEach
    void stop() throws Exception {
        replica.close();
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub alice() throws Exception {
        return replica.alice();
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub operator() throws Exception {
        return replica.operator();
    }

    private static CreateVolumeRequest create(String tenant, String name) {
        return CreateVolumeRequest.newBuilder().setVolume(Volume.newBuilder().setTenant(tenant).setName(name)
                .setKind(Volume.Kind.LOCAL).setSizeBytes(GIB)).build();
    }

    private static VolumeRef ref(String tenant, String name) {
        return VolumeRef.newBuilder().setTenant(tenant).setName(name).build();
    }

    private static Status statusOf(Runnable call) {
        return TenantObjectReplica.statusOf(call);
    }

    @Test
    void aTenantCreatesInItsOwnTenantOnly() throws Exception {
        var alice = alice();

        Volume data = alice.createVolume(create("", "data"));
        Status elsewhere = statusOf(() -> alice.createVolume(create("beta", "data")));

        assertThat(data.getTenant()).isEqualTo("acme");
        assertThat(feed.view().volume("acme/data")).isPresent();
        assertThat(elsewhere.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(elsewhere.getDescription()).isEqualTo(
                "peer 'alice' (role tenant, tenant 'acme') may not create volumes in tenant 'beta'");
        assertThat(feed.view().volume("beta/data")).isEmpty();
    }

    @Test
    void anotherTenantsVolumeIsAnsweredExactlyAsAMissingOneAndIsLeftAlone() throws Exception {
        var alice = alice();
        Status get = statusOf(() -> alice.getVolume(ref("beta", "secret")));
        Status delete = statusOf(() -> alice.deleteVolume(ref("beta", "secret")));
        Status resize = statusOf(() -> alice.resizeVolume(ResizeVolumeRequest.newBuilder()
                .setVolume(ref("beta", "secret")).setSizeBytes(2 * GIB).build()));
        Status operators = statusOf(() -> alice.getVolume(ref("system", "ops")));
        Status missing = statusOf(() -> alice.getVolume(ref("beta", "nothing")));

        assertThat(List.of(get, delete, resize, operators, missing)).extracting(Status::getCode)
                .containsOnly(Status.Code.NOT_FOUND);
        assertThat(get.getDescription()).isEqualTo("volume 'secret' in tenant 'beta' not found");
        assertThat(delete.getDescription()).isEqualTo(get.getDescription());
        assertThat(resize.getDescription()).isEqualTo(get.getDescription());
        assertThat(missing.getDescription()).isEqualTo("volume 'nothing' in tenant 'beta' not found");
        assertThat(feed.view().volume("beta/secret")).isPresent();
        assertThat(feed.view().volume("beta/secret").orElseThrow().value().getSizeBytes()).isEqualTo(GIB);
    }

    @Test
    void aTenantListsItsOwnVolumesAndAnOperatorEveryTenants() throws Exception {
        var alice = alice();
        alice.createVolume(create("", "data"));

        assertThat(alice.listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
                .extracting(Volume::getName).containsExactly("data");
        assertThat(statusOf(() -> alice.listVolumes(ListVolumesRequest.newBuilder().setTenant("beta").build()))
                .getDescription()).isEqualTo(
                        "peer 'alice' (role tenant, tenant 'acme') may not list volumes in tenant 'beta'");
        var operator = operator();
        assertThat(operator.listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
                .extracting(Volume::getTenant, Volume::getName)
                .containsExactly(tuple("acme", "data"), tuple("beta", "secret"), tuple("", "ops"));
        assertThat(operator.listVolumes(ListVolumesRequest.newBuilder().setTenant("system").build())
                .getVolumesList()).extracting(Volume::getName).containsExactly("ops");
    }

    @Test
    void anOperatorActsInAnyTenantAndWithoutOneInTheSystemTenant() throws Exception {
        var operator = operator();

        Volume scratch = operator.createVolume(create("", "scratch"));
        Volume grown = operator.resizeVolume(ResizeVolumeRequest.newBuilder().setVolume(ref("beta", "secret"))
                .setSizeBytes(2 * GIB).build());
        DeleteVolumeResponse deleted = operator.deleteVolume(ref("", "ops"));

        assertThat(scratch.getTenant()).isEmpty();
        assertThat(feed.view().volume("system/scratch")).isPresent();
        assertThat(grown.getSizeBytes()).isEqualTo(2 * GIB);
        assertThat(deleted).isEqualTo(DeleteVolumeResponse.newBuilder().setName("ops").setTenant("system").build());
        assertThat(feed.view().volume("system/ops")).isEmpty();
    }

    @Test
    void anAgentMayCallNoVolumeMethod() throws Exception {
        var agent = replica.calledBy(CertifiedCaller.withSubject("CN=h1,OU=agent"));

        assertThat(statusOf(() -> agent.listVolumes(ListVolumesRequest.getDefaultInstance())).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> agent.createVolume(create("", "x"))).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(feed.view().volume("system/x")).isEmpty();
    }
}
