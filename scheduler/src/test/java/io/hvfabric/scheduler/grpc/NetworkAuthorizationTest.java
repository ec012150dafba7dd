package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.DeleteNetworkResponse;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NetworkPort;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NetworkStatus;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.network.NetworkOperations;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.FeedDecider;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network RPCs on a leading replica (the real OperatorServiceImpl behind the production interceptors, its writes
 * decided over a view): operators act in any tenant (none named: "system"), a tenant's principal in its own only;
 * creating in another tenant is PERMISSION_DENIED, reading or deleting another tenant's network is NOT_FOUND worded
 * as a missing one, and a listing shows a tenant only its own.
 */
@Timeout(20)
class NetworkAuthorizationTest {
    private final ViewFeed feed = new ViewFeed();
    private final TenantObjectReplica replica = new TenantObjectReplica(feed, forwarding ->
            new OperatorServiceImpl.Writes(forwarding, null, null, address -> null,
                    null, null, null, null, null, null, null, null,
                    new NetworkOperations(feed.view(), feed.keys(), new FeedDecider(feed))));

    @BeforeEach
    void cluster() {
        network("beta", "red", 100);
        network("", "mgmt", 101);
        feed.put(Keys.Kind.VSI, "b-1", VsiRecord.newBuilder().setHost("h2")
                .setSpec(VsiSpec.newBuilder().setName("b-1").setTenant("beta").addNics(NicSpec.newBuilder()
                        .setNetwork("red").setIp("10.0.0.2").setMac("0a:00:00:64:00:02").setVni(100).setMbps(50)))
                .build());
        feed.put(Keys.Kind.NETWORK_ALLOCATION, "beta/red", NetworkAllocation.newBuilder()
                .putAddresses("10.0.0.2", "b-1/0").build());
    }

    @AfterEach
    void stop() throws Exception {
        replica.close();
    }

    private void network(String tenant, String name, int vni) {
        String key = (tenant.isEmpty() ? "system" : tenant) + "/" + name;
        feed.put(Keys.Kind.NETWORK, key, Network.newBuilder().setName(name).setTenant(tenant).setCidr("10.0.0.0/24")
                .setMtu(1450).setVni(vni).setGatewayIp("10.0.0.1").build());
        feed.put(Keys.Kind.NETWORK_ALLOCATION, key, NetworkAllocation.getDefaultInstance());
        feed.put(Keys.Kind.VNI, Integer.toString(vni), NetworkRef.newBuilder().setName(name)
                .setTenant(tenant.isEmpty() ? "system" : tenant).build());
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub alice() throws Exception {
        return replica.alice();
    }

    private OperatorServiceGrpc.OperatorServiceBlockingStub operator() throws Exception {
        return replica.operator();
    }

    private static CreateNetworkRequest create(String tenant, String name) {
        return CreateNetworkRequest.newBuilder().setNetwork(Network.newBuilder().setTenant(tenant).setName(name)
                .setCidr("10.0.0.0/24")).build();
    }

    private static NetworkRef ref(String tenant, String name) {
        return NetworkRef.newBuilder().setTenant(tenant).setName(name).build();
    }

    private static Status statusOf(Runnable call) {
        return TenantObjectReplica.statusOf(call);
    }

    @Test
    void aTenantCreatesInItsOwnTenantOnly() throws Exception {
        var alice = alice();

        NetworkStatus blue = alice.createNetwork(create("", "blue"));
        Status elsewhere = statusOf(() -> alice.createNetwork(create("beta", "blue")));

        assertThat(blue.getNetwork().getTenant()).isEqualTo("acme");
        assertThat(blue.getNetwork().getVni()).isEqualTo(102);
        assertThat(blue.getAddressesTotal()).isEqualTo(253);
        assertThat(feed.view().network("acme/blue")).isPresent();
        assertThat(elsewhere.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(elsewhere.getDescription()).isEqualTo(
                "peer 'alice' (role tenant, tenant 'acme') may not create networks in tenant 'beta'");
        assertThat(feed.view().network("beta/blue")).isEmpty();
    }

    @Test
    void anotherTenantsNetworkIsAnsweredExactlyAsAMissingOne() throws Exception {
        var alice = alice();
        Status get = statusOf(() -> alice.getNetwork(ref("beta", "red")));
        Status delete = statusOf(() -> alice.deleteNetwork(ref("beta", "red")));
        Status operators = statusOf(() -> alice.getNetwork(ref("system", "mgmt")));
        Status missing = statusOf(() -> alice.getNetwork(ref("beta", "green")));

        assertThat(List.of(get, delete, operators, missing)).extracting(Status::getCode)
                .containsOnly(Status.Code.NOT_FOUND);
        assertThat(get.getDescription()).isEqualTo("network 'red' in tenant 'beta' not found");
        assertThat(delete.getDescription()).isEqualTo(get.getDescription());
        assertThat(missing.getDescription()).isEqualTo("network 'green' in tenant 'beta' not found");
        assertThat(feed.view().network("beta/red")).isPresent();
    }

    @Test
    void aTenantListsItsOwnNetworksAndAnOperatorEveryTenants() throws Exception {
        var alice = alice();
        alice.createNetwork(create("", "blue"));

        assertThat(alice.listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList())
                .extracting(s -> s.getNetwork().getName()).containsExactly("blue");
        assertThat(statusOf(() -> alice.listNetworks(ListNetworksRequest.newBuilder().setTenant("beta").build()))
                .getDescription()).isEqualTo(
                        "peer 'alice' (role tenant, tenant 'acme') may not list networks in tenant 'beta'");
        var operator = operator();
        assertThat(operator.listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList())
                .extracting(s -> s.getNetwork().getTenant(), s -> s.getNetwork().getName())
                .containsExactly(tuple("acme", "blue"), tuple("beta", "red"), tuple("", "mgmt"));
        assertThat(operator.listNetworks(ListNetworksRequest.newBuilder().setTenant("system").build())
                .getNetworksList()).extracting(s -> s.getNetwork().getName()).containsExactly("mgmt");
    }

    @Test
    void anOperatorActsInAnyTenantAndWithoutOneInTheSystemTenant() throws Exception {
        var operator = operator();

        NetworkStatus ops = operator.createNetwork(create("", "storage"));
        NetworkStatus red = operator.getNetwork(ref("beta", "red"));
        Status inUse = statusOf(() -> operator.deleteNetwork(ref("beta", "red")));
        DeleteNetworkResponse deleted = operator.deleteNetwork(ref("", "mgmt"));

        assertThat(ops.getNetwork().getTenant()).isEmpty();
        assertThat(feed.view().network("system/storage")).isPresent();
        assertThat(red.getPortsList()).containsExactly(NetworkPort.newBuilder().setVsi("b-1").setNic(0)
                .setMac("0a:00:00:64:00:02").setIp("10.0.0.2").setHost("h2").setMbps(50).build());
        assertThat(red.getAddressesUsed()).isEqualTo(1);
        assertThat(red.getHostsList()).containsExactly("h2");
        assertThat(inUse.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(inUse.getDescription()).isEqualTo(
                "network 'red' in tenant 'beta' has 1 vNIC (vsi b-1); delete them first");
        assertThat(deleted).isEqualTo(DeleteNetworkResponse.newBuilder().setName("mgmt").setTenant("system").build());
        assertThat(feed.view().network("system/mgmt")).isEmpty();
        assertThat(feed.view().claimedVnis()).doesNotContain("101");
    }

    @Test
    void anAgentMayCallNoNetworkMethod() throws Exception {
        var agent = replica.calledBy(CertifiedCaller.withSubject("CN=h1,OU=agent"));

        assertThatThrownBy(() -> agent.listNetworks(ListNetworksRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
