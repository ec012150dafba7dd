package io.hvfabric.scheduler.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostStatesTest {
    private static HostRecord record(String admin) {
        return HostRecord.newBuilder()
                .setId("host-1")
                .setAddress("10.0.0.1:7000")
                .setAdminState(admin)
                .setCapacity(Resources.newBuilder().setVcpus(8).setMemoryMib(16384))
                .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg"))
                .build();
    }

    @Test
    void aHostWithoutItsLeaseIsDownWhateverTheOperatorIntended() {
        assertThat(HostStates.derive(record("READY"), false, "reachable")).isEqualTo(Host.State.DOWN);
        assertThat(HostStates.derive(record("CORDONED"), false, "reachable")).isEqualTo(Host.State.DOWN);
    }

    @Test
    void operatorIntentShowsWhileAlive() {
        assertThat(HostStates.derive(record("CORDONED"), true, "reachable")).isEqualTo(Host.State.CORDONED);
        assertThat(HostStates.derive(record("MAINTENANCE"), true, "absent")).isEqualTo(Host.State.MAINTENANCE);
    }

    @Test
    void leaseAliveButGossipUnreachableIsNotReady() {
        assertThat(HostStates.derive(record("READY"), true, "unreachable")).isEqualTo(Host.State.NOT_READY);
        assertThat(HostStates.derive(record("READY"), true, "absent")).isEqualTo(Host.State.READY);
        assertThat(HostStates.derive(record(""), true, "reachable")).isEqualTo(Host.State.READY);
    }

    @Test
    void hostViewCarriesCapacityAllocationAndVsis() {
        HostAllocation alloc = HostAllocation.newBuilder()
                .setAllocated(Resources.newBuilder().setVcpus(2).setMemoryMib(512))
                .addVsis("web-1")
                .addVsis("web-2")
                .build();
        Host host = HostStates.toHost(record("READY"), Optional.of(AliveRecord.getDefaultInstance()),
                Optional.of(alloc), "reachable");
        assertThat(host.getState()).isEqualTo(Host.State.READY);
        assertThat(host.getAccelerator()).isEqualTo("tcg");
        assertThat(host.getCapacity().getVcpus()).isEqualTo(8);
        assertThat(host.getAllocated().getMemoryMib()).isEqualTo(512);
        assertThat(host.getAllocated().getVsiCount()).isEqualTo(2);
        assertThat(host.getVsiCount()).isEqualTo(2);
        assertThat(host.getVsisList()).containsExactly("web-1", "web-2");
        assertThat(host.getLeaseAlive()).isTrue();
    }
}
