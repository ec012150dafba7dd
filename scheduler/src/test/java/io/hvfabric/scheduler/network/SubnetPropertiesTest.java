package io.hvfabric.scheduler.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The address arithmetic and the MAC derivation, over any network a tenant may create and any VNI. */
class SubnetPropertiesTest {
    @Provide
    Arbitrary<Subnet> subnets() {
        return Combinators.combine(Arbitraries.integers().between(1, 223).filter(a -> a != 127),
                        Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
                        Arbitraries.integers().between(Subnet.MIN_PREFIX, Subnet.MAX_PREFIX))
                .as((a, b, c, prefix) -> {
                    int address = (a << 24) | (b << 16) | (c << 8);
                    return new Subnet(address & (-1 << (32 - prefix)), prefix);
                })
                .filter(s -> (s.network() >>> 16) != 0xa9fe);
    }

    @Property(tries = 300)
    void theCanonicalFormParsesBackToTheSameNetwork(@ForAll("subnets") Subnet subnet) {
        assertThat(Subnet.parse("network.cidr", subnet.toString())).isEqualTo(subnet);
    }

    @Property(tries = 300)
    void everyOffsetRoundTripsThroughItsAddress(@ForAll("subnets") Subnet subnet, @ForAll int seed) {
        int offset = Math.floorMod(seed, subnet.size());
        String ip = subnet.addressAt(offset);

        assertThat(subnet.offsetOf(ip)).hasValue(offset);
        assertThat(Subnet.requireAddress("ip", ip)).isEqualTo(ip);
    }

    @Property(tries = 300)
    void vnicOffsetsAreTheHostAddressesButTheGateway(@ForAll("subnets") Subnet subnet) {
        assertThat(subnet.isVnicOffset(0)).as("network address").isFalse();
        assertThat(subnet.isVnicOffset(Subnet.GATEWAY_OFFSET)).as("gateway").isFalse();
        assertThat(subnet.isVnicOffset(subnet.size() - 1)).as("broadcast").isFalse();
        assertThat(subnet.isVnicOffset(Subnet.FIRST_VNIC_OFFSET)).isTrue();
        assertThat(subnet.isVnicOffset(subnet.size() - 2)).isTrue();
        assertThat(subnet.vnicCapacity()).isEqualTo(subnet.size() - 3);
        assertThat(subnet.offsetOf(subnet.gatewayIp())).hasValue(1);
        assertThat(subnet.offsetOf(subnet.broadcastIp())).hasValue(subnet.size() - 1);
    }

    @Property(tries = 300)
    void addressesOutsideTheNetworkHaveNoOffset(@ForAll("subnets") Subnet subnet) {
        int below = subnet.network() - 1;
        int above = subnet.network() + subnet.size();
        for (int outside : List.of(below, above)) {
            String ip = (outside >>> 24) + "." + ((outside >>> 16) & 0xff) + "." + ((outside >>> 8) & 0xff) + "."
                    + (outside & 0xff);
            assertThat(subnet.offsetOf(ip)).as(ip).isEmpty();
        }
    }

    @Property(tries = 500)
    void aMacRoundTripsToItsVniAndOffsetAndIsLocallyAdministeredUnicast(
            @ForAll @IntRange(min = 0, max = Subnet.MAX_VNI) int vni, @ForAll @IntRange(min = 0, max = 65535) int k) {
        String mac = Subnet.mac(vni, k);

        assertThat(mac).matches("0a(:[0-9a-f]{2}){5}");
        assertThat(Subnet.parseMac(mac)).contains(new Subnet.MacParts(vni, k));
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        assertThat(first & 1).as("unicast").isZero();
        assertThat(first & 2).as("locally administered").isEqualTo(2);
    }

    @Property(tries = 50)
    void macsAreUniqueAcrossNetworksAndAddresses(@ForAll("subnets") Subnet subnet,
                                                 @ForAll @IntRange(min = 100, max = Subnet.MAX_VNI - 1) int vni) {
        Set<String> macs = new HashSet<>();
        int offsets = Math.min(subnet.size(), 1024);
        for (int v = vni; v <= vni + 1; v++) {
            for (int k = 0; k < offsets; k++) {
                assertThat(macs.add(Subnet.mac(v, k))).as("vni %d offset %d", v, k).isTrue();
            }
        }
    }

    @Property(tries = 200)
    void nonCanonicalOrForeignStringsAreNoMacsOrAddresses(@ForAll String junk) {
        if (!junk.matches("0a(:[0-9a-f]{2}){5}")) {
            assertThat(Subnet.parseMac(junk)).isEmpty();
        }
        assertThat(Subnet.parseMac("0A:00:00:64:00:02")).isEmpty();
        assertThat(Subnet.parseMac("52:54:00:00:00:02")).isEmpty();
    }
}
