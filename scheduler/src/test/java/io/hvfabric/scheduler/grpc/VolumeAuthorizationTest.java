package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.etcd.jetcd.ByteSequence;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.DeleteVolumeResponse;
import io.hvfabric.proto.v1.ListVolumesRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.ResizeVolumeRequest;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.FeedDecider;
import io.hvfabric.scheduler.view.ViewFeed;
import io.hvfabric.scheduler.volume.VolumeOperations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    private static final Term TERM = new Term("sched-1", "127.0.0.1:7001",
            ByteSequence.from("/hvf/v1/leader/sched-1", StandardCharsets.UTF_8), 7);
    private static final long GIB = 1L << 30;

    private final ViewFeed feed = new ViewFeed();
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    @BeforeEach
    void cluster() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.TENANT, "beta", Tenant.newBuilder().setName("beta").build());
        feed.put(Keys.Kind.VOLUME, "beta/secret", Volume.newBuilder().setName("secret").setTenant("beta")
                .setKind(Volume.Kind.LOCAL).setSizeBytes(GIB).setState(Volume.State.AVAILABLE).build());
        feed.put(Keys.Kind.VOLUME, "system/ops", Volume.newBuilder().setName("ops")
                .setKind(Volume.Kind.LOCAL).setSizeBytes(GIB).setState(Volume.State.AVAILABLE).build());
    }

    @AfterEach
    void stop() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub calledBy(CertifiedCaller caller) throws Exception {
        Forwarding forwarding = new Forwarding("sched-1", () -> Optional.of(TERM), Optional::empty, address -> {
            throw new AssertionError("the leader forwards nothing");
        });
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, null, null, address -> null,
                null, null, null, null, null, null, null, null, null,
                new VolumeOperations(feed.keys(), new FeedDecider(feed)));
        OperatorServiceImpl operator = new OperatorServiceImpl(feed.view(), "sched-1", List.of(),
                (kind, id) -> "reachable", List::of, writes);
        ServedReplica replica = new ServedReplica(caller, operator);
        opened.push(replica);
        return OperatorServiceGrpc.newBlockingStub(replica.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub alice() throws Exception {
        return calledBy(CertifiedCaller.tenant("alice", "acme"));
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub operator() throws Exception {
        return calledBy(CertifiedCaller.withSubject("CN=operator,OU=operator"));
    }

    private static CreateVolumeRequest create(String tenant, String name) {
        return CreateVolumeRequest.newBuilder().setVolume(Volume.newBuilder().setTenant(tenant).setName(name)
                .setKind(Volume.Kind.LOCAL).setSizeBytes(GIB)).build();
    }

    private static VolumeRef ref(String tenant, String name) {
        return VolumeRef.newBuilder().setTenant(tenant).setName(name).build();
    }

    private static Status statusOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
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
        var agent = calledBy(CertifiedCaller.withSubject("CN=h1,OU=agent"));

        assertThat(statusOf(() -> agent.listVolumes(ListVolumesRequest.getDefaultInstance())).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> agent.createVolume(create("", "x"))).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(feed.view().volume("system/x")).isEmpty();
    }
}
