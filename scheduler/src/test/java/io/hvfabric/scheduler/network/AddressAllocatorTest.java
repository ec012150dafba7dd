package io.hvfabric.scheduler.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.NetworkAllocation;
import org.junit.jupiter.api.Test;

class AddressAllocatorTest {
    private static final NetworkId BLUE = new NetworkId("acme", "blue");
    private static final Subnet SMALL = Subnet.parse("cidr", "10.0.0.0/29");

    private static AddressAllocator.Assigned assign(NetworkAllocation allocation, String ip, String owner) {
        return AddressAllocator.assign(BLUE, SMALL, allocation, ip, owner, "nics[0].ip");
    }

    private static void assertFabric(Runnable call, ErrorCode code, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void theLowestFreeAddressFromOffsetTwoIsHandedOut() {
        var first = assign(NetworkAllocation.getDefaultInstance(), "", "a-1/0");
        var second = assign(first.allocation(), "", "a-2/0");

        assertThat(first.ip()).isEqualTo("10.0.0.2");
        assertThat(first.offset()).isEqualTo(2);
        assertThat(second.ip()).isEqualTo("10.0.0.3");
        assertThat(second.allocation().getAddressesMap()).containsEntry("10.0.0.2", "a-1/0")
                .containsEntry("10.0.0.3", "a-2/0").hasSize(2);
        var freed = AddressAllocator.release(second.allocation(), "10.0.0.2", "a-1/0");
        assertThat(assign(freed, "", "a-3/0").ip()).as("the freed one, lowest again").isEqualTo("10.0.0.2");
    }

    @Test
    void aRequestedAddressIsTakenIfItIsAFreeVnicAddress() {
        var taken = assign(NetworkAllocation.getDefaultInstance(), "10.0.0.6", "a-1/0");

        assertThat(taken.offset()).isEqualTo(6);
        assertFabric(() -> assign(taken.allocation(), "10.0.0.6", "a-2/0"), ErrorCode.ALREADY_EXISTS,
                "address 10.0.0.6 of network 'blue' in tenant 'acme' is already in use (vsi a-1)");
    }

    @Test
    void theNetworkGatewayAndBroadcastAddressesAndForeignOnesAreRefused() {
        String reserved = "field 'nics[0].ip': must not be the network address, the gateway (10.0.0.1) or the "
                + "broadcast address of 10.0.0.0/29 (got '%s')";
        for (String ip : new String[] {"10.0.0.0", "10.0.0.1", "10.0.0.7"}) {
            assertFabric(() -> assign(NetworkAllocation.getDefaultInstance(), ip, "a-1/0"), ErrorCode.INVALID_ARGUMENT,
                    String.format(reserved, ip));
        }
        assertFabric(() -> assign(NetworkAllocation.getDefaultInstance(), "10.0.0.8", "a-1/0"),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].ip': must be inside network 'blue' in tenant 'acme' "
                        + "(10.0.0.0/29) (got '10.0.0.8')");
        assertFabric(() -> assign(NetworkAllocation.getDefaultInstance(), "10.0.0.02", "a-1/0"),
                ErrorCode.INVALID_ARGUMENT, "field 'nics[0].ip': must be an IPv4 address like 10.0.0.5, in canonical "
                        + "form (got '10.0.0.02')");
    }

    @Test
    void aFullNetworkIsExhausted() {
        NetworkAllocation full = NetworkAllocation.getDefaultInstance();
        for (int i = 0; i < SMALL.vnicCapacity(); i++) {
            full = assign(full, "", "v-" + i + "/0").allocation();
        }

        assertThat(full.getAddressesCount()).isEqualTo(5);
        NetworkAllocation last = full;
        assertFabric(() -> assign(last, "", "v-9/0"), ErrorCode.RESOURCE_EXHAUSTED,
                "network 'blue' in tenant 'acme' has no free address: all 5 are in use");
    }

    @Test
    void releasingLeavesAnAddressAnotherVnicHoldsAlone() {
        var taken = assign(NetworkAllocation.getDefaultInstance(), "", "a-1/0");

        assertThat(AddressAllocator.release(taken.allocation(), "10.0.0.2", "b-1/0")).isEqualTo(taken.allocation());
    }
}
