package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RebalanceRequest;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditedCallsTest {
    /** The methods that change nothing. A new method must join this list or AuditedCalls, consciously. */
    private static final Set<String> READS = Set.of("ListHosts", "GetHost", "GetClusterStatus", "ListVsis", "GetVsi",
            "WatchVsi", "StreamConsole", "ListMigrations", "GetMigration", "WatchMigration", "GetDrain", "WatchDrain",
            "ListImages", "ListTenants", "GetTenant", "ListAudit", "ListRevokedCertificates", "ListNetworks",
            "GetNetwork", "ListVolumes", "GetVolume", "ListEvents", "WatchEvents");

    @Test
    void everyOperatorMethodIsEitherAuditedOrARead() {
        List<String> unclassified = OperatorServiceGrpc.getServiceDescriptor().getMethods().stream()
                .filter(m -> AuditedCalls.covers(m) == READS.contains(m.getBareMethodName()))
                .map(MethodDescriptor::getBareMethodName)
                .toList();

        assertThat(unclassified).as("audited and read at once, or neither").isEmpty();
        assertThat(READS).allMatch(name -> OperatorServiceGrpc.getServiceDescriptor().getMethods().stream()
                .anyMatch(m -> m.getBareMethodName().equals(name)), "a method of OperatorService");
    }

    @Test
    void theObjectIsTheFieldThatNamesWhatTheCallActsOn() {
        assertThat(AuditedCalls.objectOf(OperatorServiceGrpc.getCreateVsiMethod(),
                CreateVsiRequest.newBuilder().setSpec(VsiSpec.newBuilder().setName("web-1")).build())).contains("web-1");
        assertThat(AuditedCalls.objectOf(OperatorServiceGrpc.getDrainHostMethod(),
                DrainHostRequest.newBuilder().setHost("host-3").build())).contains("host-3");
        assertThat(AuditedCalls.objectOf(OperatorServiceGrpc.getCreateTenantMethod(),
                CreateTenantRequest.newBuilder().setTenant(Tenant.newBuilder().setName("acme")).build()))
                .contains("acme");
    }

    @Test
    void dryRunsChangeNothingAndAreNotRecorded() {
        assertThat(AuditedCalls.objectOf(OperatorServiceGrpc.getRebalanceMethod(),
                RebalanceRequest.newBuilder().setDryRun(true).build())).isEmpty();
        assertThat(AuditedCalls.objectOf(OperatorServiceGrpc.getRebalanceMethod(),
                RebalanceRequest.newBuilder().setDryRun(false).build())).contains("");
        assertThat(AuditedCalls.objectOf(OperatorServiceGrpc.getDrainHostMethod(),
                DrainHostRequest.newBuilder().setHost("host-3").setDryRun(true).build())).isEmpty();
    }
}
