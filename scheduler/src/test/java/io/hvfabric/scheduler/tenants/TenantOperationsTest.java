package io.hvfabric.scheduler.tenants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import org.junit.jupiter.api.Test;

/** The refusals of tenant writes, decided from the view before anything reaches etcd (the writer here has none). */
class TenantOperationsTest {
    private final ViewFeed feed = new ViewFeed();
    private final TenantOperations tenants = new TenantOperations(feed.view(), feed.keys(), null);

    private static void assertFabric(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aTenantOwningVsisIsNotDeleted() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.TENANT_USAGE, "acme", TenantUsage.newBuilder().setVsis(1).addNames("web-1").build());

        assertFabric(() -> tenants.delete(null, "acme"), ErrorCode.FAILED_PRECONDITION,
                "tenant 'acme' owns 1 VSI (web-1); delete them first");
    }

    @Test
    void aVsiRecordOfTheTenantBlocksTheDeleteEvenIfTheUsageMissesIt() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.VSI, "db-1", VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("db-1").setTenant("acme")).build());
        feed.put(Keys.Kind.VSI, "db-2", VsiRecord.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("db-2").setTenant("beta")).build());

        assertFabric(() -> tenants.delete(null, "acme"), ErrorCode.FAILED_PRECONDITION,
                "tenant 'acme' owns 1 VSI (db-1); delete them first");
    }

    @Test
    void aTenantOwningNetworksIsNotDeleted() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.NETWORK, "acme/blue", Network.newBuilder().setName("blue").setTenant("acme").build());
        feed.put(Keys.Kind.NETWORK, "beta/red", Network.newBuilder().setName("red").setTenant("beta").build());

        assertFabric(() -> tenants.delete(null, "acme"), ErrorCode.FAILED_PRECONDITION,
                "tenant 'acme' owns 1 network (blue); delete them first");
    }

    @Test
    void aMissingTenantIsNotFound() {
        assertFabric(() -> tenants.delete(null, "ghost"), ErrorCode.NOT_FOUND, "tenant 'ghost' not found");
    }

    @Test
    void anExistingTenantIsNotCreatedAgain() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());

        assertFabric(() -> tenants.create(null, Tenant.newBuilder().setName("acme").build()),
                ErrorCode.ALREADY_EXISTS, "tenant 'acme' already exists");
    }

    @Test
    void namesAndQuotasAreValidated() {
        assertFabric(() -> tenants.create(null, Tenant.newBuilder().setName("system").build()),
                ErrorCode.INVALID_ARGUMENT, "field 'name': 'system' is reserved for the operators' own VSIs");
        assertThatThrownBy(() -> tenants.create(null, Tenant.newBuilder().setName("Acme").build()))
                .isInstanceOfSatisfying(FabricException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).startsWith("field 'name': must be a DNS label");
                });
        assertFabric(() -> tenants.create(null, Tenant.newBuilder().setName("acme")
                        .setQuota(TenantQuota.newBuilder().setMaxVcpus(-1)).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'quota': must not be negative (0 means no bound)");
    }
}
