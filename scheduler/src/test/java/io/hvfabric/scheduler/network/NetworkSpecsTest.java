package io.hvfabric.scheduler.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Network;
import org.junit.jupiter.api.Test;

/** Each rule of a network create request, named in its refusal. */
class NetworkSpecsTest {
    private static Network.Builder valid() {
        return Network.newBuilder().setName("blue").setTenant("acme").setCidr("10.0.0.0/24");
    }

    private static void assertRefused(Network.Builder network, String message) {
        assertThatThrownBy(() -> NetworkSpecs.validate(network.build()))
                .isInstanceOfSatisfying(FabricException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void aValidRequestGetsTheDefaultMtuAndKeepsItsChoices() {
        Network network = NetworkSpecs.validate(valid().setGateway(true).build());

        assertThat(network.getMtu()).isEqualTo(1450);
        assertThat(network.getGateway()).isTrue();
        assertThat(network.getCidr()).isEqualTo("10.0.0.0/24");
        assertThat(NetworkSpecs.validate(valid().setMtu(9000).build()).getMtu()).isEqualTo(9000);
        assertThat(NetworkSpecs.validate(valid().setMtu(576).build()).getMtu()).isEqualTo(576);
    }

    @Test
    void theSystemTenantIsStoredAsTheEmptyTenant() {
        assertThat(NetworkSpecs.validate(valid().setTenant("system").build()).getTenant()).isEmpty();
        assertThat(NetworkSpecs.validate(valid().setTenant("").build()).getTenant()).isEmpty();
    }

    @Test
    void theNameIsADnsLabel() {
        assertRefused(valid().setName("Blue Net"), "field 'network.name': must be a DNS label: 1-63 lowercase "
                + "letters, digits or hyphens, starting and ending with a letter or digit (got 'Blue Net', 8 "
                + "characters)");
        assertRefused(valid().setName(""), "field 'network.name': must be a DNS label: 1-63 lowercase letters, "
                + "digits or hyphens, starting and ending with a letter or digit (got an empty value)");
    }

    @Test
    void theCidrIsACanonicalNetworkOfPrefix16To29WithZeroHostBits() {
        String syntax = "field 'network.cidr': must be an IPv4 network a.b.c.d/p in canonical form (decimal octets "
                + "without leading zeros), e.g. 10.0.0.0/24 (got '%s')";
        for (String bad : new String[] {"", "10.0.0.0", "10.0.0/24", "10.0.0.00/24", "010.0.0.0/24", "10.0.0.0/024",
                "10.0.0.256/24", "10.0.0.0/", "a.b.c.d/24", "10.0.0.0/24 ", "::1/64"}) {
            assertRefused(valid().setCidr(bad), String.format(syntax, bad));
        }
        assertRefused(valid().setCidr("10.0.0.0/15"),
                "field 'network.cidr': must have a prefix of /16 to /29 (got /15 in '10.0.0.0/15')");
        assertRefused(valid().setCidr("10.0.0.0/30"),
                "field 'network.cidr': must have a prefix of /16 to /29 (got /30 in '10.0.0.0/30')");
        assertRefused(valid().setCidr("10.0.0.5/24"),
                "field 'network.cidr': must have its host bits zero: 10.0.0.0/24, not '10.0.0.5/24'");
        assertRefused(valid().setCidr("127.0.0.0/16"), "field 'network.cidr': must be unicast: not in 0.0.0.0/8, "
                + "127.0.0.0/8, 169.254.0.0/16 or 224.0.0.0/3 (got '127.0.0.0/16')");
        assertRefused(valid().setCidr("224.1.0.0/16"), "field 'network.cidr': must be unicast: not in 0.0.0.0/8, "
                + "127.0.0.0/8, 169.254.0.0/16 or 224.0.0.0/3 (got '224.1.0.0/16')");
        assertThat(NetworkSpecs.validate(valid().setCidr("192.168.7.248/29").build()).getCidr())
                .isEqualTo("192.168.7.248/29");
        assertThat(NetworkSpecs.validate(valid().setCidr("172.16.0.0/16").build()).getCidr())
                .isEqualTo("172.16.0.0/16");
    }

    @Test
    void theMtuIs576To9000OrZeroForTheDefault() {
        assertRefused(valid().setMtu(575), "field 'network.mtu': must be 576..9000 bytes, or 0 for 1450 (got 575)");
        assertRefused(valid().setMtu(9001), "field 'network.mtu': must be 576..9000 bytes, or 0 for 1450 (got 9001)");
        assertRefused(valid().setMtu(-1), "field 'network.mtu': must be 576..9000 bytes, or 0 for 1450 (got -1)");
    }

    @Test
    void whatTheFabricAssignsARequestLeavesOut() {
        assertRefused(valid().setVni(100), "field 'network.vni': is assigned by the fabric; leave it 0 (got 100)");
        assertRefused(valid().setGatewayIp("10.0.0.1"), "field 'network.gateway_ip': is assigned by the fabric "
                + "(the first host address); leave it empty (got '10.0.0.1')");
    }
}
