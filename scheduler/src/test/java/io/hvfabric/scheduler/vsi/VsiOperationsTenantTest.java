package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.leader.loop.SequentialDecider;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's own tenant checks in VSI decisions, which hold even when a follower's view was stale: each refusal
 * is decided before anything is written (this VsiOperations has no writer and no placement, so a check that let the
 * call through would fail on them instead). Concurrent creates against a quota are VsiIT's and TenantIT's, on etcd.
 */
class VsiOperationsTenantTest {
    private final ViewFeed feed = new ViewFeed();
    private final VsiOperations vsis = new VsiOperations(feed.view(), feed.keys(),
            new SequentialDecider(feed.view(), null), null,
            new PlacementInputs(feed.view(), List::of));

    @BeforeEach
    void cluster() {
        feed.put(Keys.Kind.IMAGE, "default", Image.newBuilder().setName("default").setKernel("/k").setInitrd("/i")
                .build());
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme")
                .setQuota(TenantQuota.newBuilder().setMaxVcpus(4)).build());
        feed.put(Keys.Kind.TENANT_USAGE, "acme", TenantUsage.newBuilder().setVsis(2).setVcpus(4).setMemoryMib(128)
                .addNames("a-1").addNames("a-2").build());
        feed.put(Keys.Kind.VSI, "b-1", VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("b-1").setVcpus(1).setMemoryMib(64).setTenant("beta")).build());
    }

    private static void assertFabric(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aCreateBeyondTheQuotaIsRefusedNamingItAndStoresNothing() {
        assertFabric(() -> vsis.create(null, spec("a-3", "acme", 2)), ErrorCode.RESOURCE_EXHAUSTED,
                "tenant 'acme' quota max_vcpus 4: 4 used, 2 requested");
        assertThat(feed.view().vsi("a-3")).isEmpty();
    }

    @Test
    void aCreateInAMissingTenantIsNotFound() {
        assertFabric(() -> vsis.create(null, spec("g-1", "ghost", 1)), ErrorCode.NOT_FOUND, "tenant 'ghost' not found");
    }

    @Test
    void aNameTakenInAnotherTenantIsAlreadyExistsWithoutNamingThatTenant() {
        assertFabric(() -> vsis.create(null, spec("b-1", "acme", 1)), ErrorCode.ALREADY_EXISTS,
                "vsi 'b-1' already exists");
    }

    @Test
    void anotherTenantsVsiIsNotFoundToStopStartAndDelete() {
        TenantScope acme = TenantScope.of("acme");

        assertFabric(() -> vsis.setDesired(null, "b-1", "STOPPED", acme), ErrorCode.NOT_FOUND, "vsi 'b-1' not found");
        assertFabric(() -> vsis.delete(null, "b-1", acme), ErrorCode.NOT_FOUND, "vsi 'b-1' not found");
    }

    private static VsiSpec spec(String name, String tenant, int vcpus) {
        return VsiSpec.newBuilder().setName(name).setVcpus(vcpus).setMemoryMib(64).setTenant(tenant).build();
    }
}
