package io.hvfabric.scheduler.tenants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.VsiSpec;
import org.junit.jupiter.api.Test;

class TenantQuotasTest {
    private static final Tenant ACME = Tenant.newBuilder().setName("acme")
            .setQuota(TenantQuota.newBuilder().setMaxVsis(3).setMaxVcpus(4).setMaxMemoryMib(512)).build();

    private static VsiSpec vsi(String name, int vcpus, long memoryMib) {
        return VsiSpec.newBuilder().setName(name).setVcpus(vcpus).setMemoryMib(memoryMib).setTenant("acme").build();
    }

    private static void assertRefused(TenantUsage usage, VsiSpec spec, String message) {
        assertThatThrownBy(() -> TenantQuotas.charge(ACME, usage, spec))
                .isInstanceOfSatisfying(FabricException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void aChargeAddsTheVsiToEverySum() {
        TenantUsage once = TenantQuotas.charge(ACME, TenantUsage.getDefaultInstance(), vsi("b", 2, 128));
        TenantUsage twice = TenantQuotas.charge(ACME, once, vsi("a", 1, 64));

        assertThat(twice).isEqualTo(TenantUsage.newBuilder().setVsis(2).setVcpus(3).setMemoryMib(192)
                .addNames("a").addNames("b").build());
    }

    @Test
    void aChargeUpToEachQuotaIsAdmittedAndOneBeyondIsRefusedNamingIt() {
        TenantUsage full = TenantUsage.newBuilder().setVsis(1).setVcpus(2).setMemoryMib(256).addNames("x").build();

        assertThat(TenantQuotas.charge(ACME, full, vsi("y", 2, 256)).getVcpus()).isEqualTo(4);
        assertRefused(full, vsi("y", 3, 64), "tenant 'acme' quota max_vcpus 4: 2 used, 3 requested");
        assertRefused(full, vsi("y", 1, 257), "tenant 'acme' quota max_memory_mib 512: 256 used, 257 requested");
        assertRefused(full.toBuilder().setVsis(3).build(), vsi("y", 1, 64),
                "tenant 'acme' quota max_vsis 3: 3 used, 1 requested");
    }

    @Test
    void aZeroQuotaBoundsNothing() {
        Tenant unbounded = Tenant.newBuilder().setName("free").build();
        TenantUsage huge = TenantUsage.newBuilder().setVsis(1000).setVcpus(4000).setMemoryMib(1 << 30).build();

        assertThat(TenantQuotas.charge(unbounded, huge, vsi("y", 64, 65536)).getVsis()).isEqualTo(1001);
    }

    @Test
    void aRefundFreesTheVsiOnceAndNeverGoesNegative() {
        TenantUsage usage = TenantQuotas.charge(ACME, TenantUsage.getDefaultInstance(), vsi("a", 2, 128));

        TenantUsage freed = TenantQuotas.refund(usage, vsi("a", 2, 128));

        assertThat(freed).isEqualTo(TenantUsage.getDefaultInstance());
        assertThat(TenantQuotas.refund(freed, vsi("a", 2, 128))).as("not counted any more").isEqualTo(freed);
    }
}
