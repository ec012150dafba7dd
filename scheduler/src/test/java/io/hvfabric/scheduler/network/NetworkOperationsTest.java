package io.hvfabric.scheduler.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.FeedDecider;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Network creates and deletes as leader decisions, over a view whose commits compare what each decision read. */
class NetworkOperationsTest {
    private final ViewFeed feed = new ViewFeed();
    private final FeedDecider decider = new FeedDecider(feed);
    private final NetworkOperations networks = new NetworkOperations(feed.view(), feed.keys(), decider);

    @BeforeEach
    void tenants() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.TENANT, "beta", Tenant.newBuilder().setName("beta").build());
    }

    private static Network request(String tenant, String name, String cidr) {
        return Network.newBuilder().setTenant(tenant).setName(name).setCidr(cidr).build();
    }

    private static void assertFabric(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void aCreateGetsTheLowestFreeVniItsGatewayAndAnEmptyAllocation() {
        Network blue = networks.create(null, request("acme", "blue", "10.0.0.0/24"));

        assertThat(blue.getVni()).isEqualTo(100);
        assertThat(blue.getGatewayIp()).isEqualTo("10.0.0.1");
        assertThat(blue.getMtu()).isEqualTo(1450);
        assertThat(blue.hasCreatedAt()).isTrue();
        assertThat(feed.view().network("acme/blue").map(Versioned::value)).contains(blue);
        assertThat(feed.view().networkAllocation("acme/blue").map(Versioned::value))
                .contains(NetworkAllocation.getDefaultInstance());
        assertThat(feed.view().claimedVnis()).containsExactly("100");
        assertThat(feed.view().tenantUsage("acme")).as("touched, so a tenant delete racing it fails").isPresent();
    }

    @Test
    void twoTenantsMayUseTheSameNameAndCidrButNeverOneVni() {
        Network acme = networks.create(null, request("acme", "blue", "10.0.0.0/24"));
        Network beta = networks.create(null, request("beta", "blue", "10.0.0.0/24"));
        Network ops = networks.create(null, request("", "blue", "10.0.0.0/24"));

        assertThat(acme.getVni()).isEqualTo(100);
        assertThat(beta.getVni()).isEqualTo(101);
        assertThat(ops.getVni()).isEqualTo(102);
        assertThat(ops.getTenant()).isEmpty();
        assertThat(feed.view().network("system/blue")).isPresent();
    }

    @Test
    void aDuplicateNameInTheTenantIsAlreadyExistsAndAMissingTenantNotFound() {
        networks.create(null, request("acme", "blue", "10.0.0.0/24"));

        assertFabric(() -> networks.create(null, request("acme", "blue", "10.1.0.0/24")), ErrorCode.ALREADY_EXISTS,
                "network 'blue' in tenant 'acme' already exists");
        assertFabric(() -> networks.create(null, request("ghost", "blue", "10.1.0.0/24")), ErrorCode.NOT_FOUND,
                "tenant 'ghost' not found");
        assertThat(feed.view().claimedVnis()).containsExactly("100");
    }

    @Test
    void theVniOfADeletedNetworkIsTheLowestFreeAgain() {
        networks.create(null, request("acme", "blue", "10.0.0.0/24"));
        networks.create(null, request("acme", "red", "10.1.0.0/24"));

        networks.delete(null, new NetworkId("acme", "blue"));

        assertThat(feed.view().network("acme/blue")).isEmpty();
        assertThat(feed.view().networkAllocation("acme/blue")).isEmpty();
        assertThat(feed.view().claimedVnis()).containsExactly("101");
        assertThat(networks.create(null, request("beta", "green", "10.2.0.0/24")).getVni()).isEqualTo(100);
    }

    @Test
    void concurrentCreatesNeverShareAVni() {
        // Both decided against the same state (two terms, or a view that lags): each reads vnis/100 absent.
        decider.holdCommits();
        Network first = networks.create(null, request("acme", "blue", "10.0.0.0/24"));
        Network second = networks.create(null, request("beta", "red", "10.0.0.0/24"));
        List<FeedDecider.Made<?>> made = decider.held();
        assertThat(first.getVni()).isEqualTo(second.getVni()).isEqualTo(100);

        assertThat(decider.commit(made.get(0))).isTrue();
        assertThat(decider.commit(made.get(1))).as("its absent claim key now exists: the compare fails").isFalse();
        assertThat(networks.create(null, request("beta", "red", "10.0.0.0/24")).getVni()).isEqualTo(101);
    }

    @Test
    void aNetworkWithAddressesInUseIsNotDeletedAndNamesTheirVsis() {
        networks.create(null, request("acme", "blue", "10.0.0.0/24"));
        NetworkAllocation.Builder used = NetworkAllocation.newBuilder();
        for (int i = 0; i < 7; i++) {
            used.putAddresses("10.0.0." + (i + 2), "web-" + i + "/0");
        }
        used.putAddresses("10.0.0.20", "web-0/1");
        feed.put(Keys.Kind.NETWORK_ALLOCATION, "acme/blue", used.build());

        assertFabric(() -> networks.delete(null, new NetworkId("acme", "blue")), ErrorCode.FAILED_PRECONDITION,
                "network 'blue' in tenant 'acme' has 8 vNICs (vsi web-0, web-1, web-2, web-3, web-4 and 2 more); "
                        + "delete them first");
        assertThat(feed.view().network("acme/blue")).isPresent();
        assertThat(feed.view().claimedVnis()).containsExactly("100");
    }

    @Test
    void aMissingNetworkIsNotFound() {
        assertFabric(() -> networks.delete(null, new NetworkId("acme", "blue")), ErrorCode.NOT_FOUND,
                "network 'blue' in tenant 'acme' not found");
        assertFabric(() -> networks.delete(null, new NetworkId("system", "blue")), ErrorCode.NOT_FOUND,
                "network 'blue' in tenant 'system' not found");
    }

    @Test
    void theVniClaimNamesItsNetwork() {
        networks.create(null, request("", "mgmt", "10.9.0.0/16"));

        assertThat(feed.view().entry("/hvf/v1/vnis/100")).isPresent();
        var decision = decider.make(context -> new Records(context, feed.keys())
                .get(Keys.Kind.VNI, "100", NetworkRef.getDefaultInstance()).orElseThrow());
        assertThat(decision.value()).isEqualTo(NetworkRef.newBuilder().setTenant("system").setName("mgmt").build());
    }
}
