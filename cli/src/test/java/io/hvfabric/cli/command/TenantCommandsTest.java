package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantStatus;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.Vsi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TenantCommandsTest {
    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    @Test
    void createSendsTheQuotasGivenAndLeavesTheOthersUnbounded() {
        CliRun run = scheduler.run("tenant", "create", "acme", "--max-vsis", "3", "--max-memory", "2GiB");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(scheduler.service.requests).containsExactly(CreateTenantRequest.newBuilder()
                .setTenant(Tenant.newBuilder().setName("acme")
                        .setQuota(TenantQuota.newBuilder().setMaxVsis(3).setMaxMemoryMib(2048)))
                .build());
        assertThat(run.stdout()).contains("name:", "acme", "0 of 3", "0 (no quota)", "0 B of 2 GiB");
    }

    @Test
    void aZeroOrNegativeQuotaIsAUsageErrorAndNothingIsSent() {
        CliRun zero = scheduler.run("tenant", "create", "acme", "--max-vcpus", "0");

        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.stderrLines())
                .containsExactly("hvctl: --max-vcpus: must be at least 1 (leave it out for no bound), got 0");
        assertThat(scheduler.service.requests).isEmpty();
    }

    @Test
    void anExistingTenantIsARefusal() {
        scheduler.run("tenant", "create", "acme");

        CliRun again = scheduler.run("tenant", "create", "acme");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderrLines()).containsExactly("hvctl: already exists: tenant 'acme' already exists");
    }

    @Test
    void listShowsUsageAgainstQuotas() {
        scheduler.service.tenants.put("acme", TenantStatus.newBuilder()
                .setTenant(Tenant.newBuilder().setName("acme").setQuota(TenantQuota.newBuilder().setMaxVcpus(4)))
                .setUsage(TenantUsage.newBuilder().setVsis(2).setVcpus(3).setMemoryMib(128).addNames("a")
                        .addNames("b"))
                .build());
        scheduler.service.tenants.put("beta", TenantStatus.newBuilder()
                .setTenant(Tenant.newBuilder().setName("beta")).build());

        CliRun table = scheduler.run("tenant", "list");
        CliRun json = scheduler.run("tenant", "list", "-o", "json");

        assertThat(table.exitCode()).isZero();
        String[] lines = table.stdout().split("\n");
        assertThat(lines[0]).startsWith("NAME").contains("VSIS", "MAX VSIS", "VCPUS", "MAX VCPUS", "MEMORY");
        assertThat(lines[1].split("\\s{2,}")).containsExactly("acme", "2", "-", "3", "4", "128 MiB", "-");
        assertThat(lines[2]).startsWith("beta");
        JsonArray tenants = JsonParser.parseString(json.stdout()).getAsJsonArray();
        assertThat(tenants).hasSize(2);
        assertThat(tenants.get(0).getAsJsonObject().getAsJsonObject("usage").get("vcpus").getAsLong()).isEqualTo(3);
    }

    @Test
    void showNamesTheVsisCountedAndAMissingTenantIsNotFound() {
        scheduler.service.tenants.put("acme", TenantStatus.newBuilder().setTenant(Tenant.newBuilder().setName("acme"))
                .setUsage(TenantUsage.newBuilder().setVsis(1).addNames("web-1")).build());

        CliRun show = scheduler.run("tenant", "show", "acme");
        CliRun missing = scheduler.run("tenant", "show", "nope");

        assertThat(show.exitCode()).isZero();
        assertThat(show.stdout()).contains("vsi names:", "web-1");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderrLines()).containsExactly("hvctl: not found: tenant 'nope' not found");
    }

    @Test
    void deleteIsRefusedWhileTheTenantOwnsVsis() {
        scheduler.run("tenant", "create", "acme");
        scheduler.service.vsis.put("web-1", Vsi.newBuilder().setName("web-1").setTenant("acme").build());

        CliRun refused = scheduler.run("tenant", "delete", "acme");
        scheduler.service.vsis.clear();
        CliRun deleted = scheduler.run("tenant", "delete", "acme");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderrLines())
                .containsExactly("hvctl: failed precondition: tenant 'acme' owns 1 VSI (web-1); delete them first");
        assertThat(deleted.exitCode()).isZero();
        assertThat(deleted.stdout()).isEqualTo("deleted tenant acme\n");
        assertThat(scheduler.service.tenants).isEmpty();
    }

    @Test
    void aTenantCertificateIsRefusedInOneLine() {
        scheduler.service.failEverything = Status.PERMISSION_DENIED.withDescription(
                "peer 'alice' (role tenant, tenant 'acme') may not call OperatorService/ListTenants");

        CliRun run = scheduler.run("tenant", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly("hvctl: permission denied: peer 'alice' (role tenant, tenant"
                + " 'acme') may not call OperatorService/ListTenants");
    }
}
