package io.hvfabric.scheduler.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.VsiStatus;
import org.junit.jupiter.api.Test;

class AgentReportBoundsTest {
    private static final RegisterRequest AGENT = RegisterRequest.newBuilder()
            .setHostId("host-1").setAddress("10.88.1.11:7001").setAgentVersion("0.1.0")
            .putLabels("zone", "a").putLabels("topology.hvfabric.io/rack", "r1")
            .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg")
                    .setKvmProbeDetail("kvm_pvm: a standard guest printed nothing →  TCG\nsecond line")
                    .setUnderlayAddress("10.88.1.11").setUnderlayMtu(1500))
            .build();

    @Test
    void whatARealAgentSendsPasses() {
        AgentReportBounds.validate(AGENT);
    }

    @Test
    void anAgentsOwnExcessIsRefusedNamingTheField() {
        RegisterRequest.Builder many = AGENT.toBuilder();
        for (int i = 0; i < 40; i++) {
            many.putLabels("l" + i, "v");
        }
        assertRefused(many.build(), "labels");
        assertRefused(AGENT.toBuilder().putLabels("Bad Key", "v").build(), "labels");
        assertRefused(AGENT.toBuilder().putLabels("k", "line\nbreak").build(), "labels[k]");
        assertRefused(AGENT.toBuilder().setAgentVersion("x".repeat(5000)).build(), "agent_version");
        assertRefused(AGENT.toBuilder().setCapabilities(AGENT.getCapabilities().toBuilder()
                .setUnderlayAddress("evil.example")).build(), "capabilities.underlay_address");
        assertRefused(AGENT.toBuilder().setCapabilities(AGENT.getCapabilities().toBuilder()
                .setUnderlayAddress("10.0.0.256")).build(), "capabilities.underlay_address");
    }

    @Test
    void aGuestsHugeAnswerIsCutDownNeverRefused() {
        GuestStatus.Builder guest = GuestStatus.newBuilder().setState(GuestStatus.State.UP)
                .setAgentVersion("v".repeat(10_000)).setMessage("m\u0007".repeat(5_000));
        for (int i = 0; i < 500; i++) {
            GuestInterface.Builder nic = GuestInterface.newBuilder().setName("eth" + i + "\u001b[31m").setMac("x");
            for (int a = 0; a < 100; a++) {
                nic.addAddresses("10.0." + i + "." + a + "/24");
            }
            guest.addInterfaces(nic);
        }
        HeartbeatRequest beat = HeartbeatRequest.newBuilder().setHostId("host-1")
                .addVsis(VsiStatus.newBuilder().setName("web-1").setMessage("y".repeat(9_000)).setGuest(guest))
                .build();

        GuestStatus kept = AgentReportBounds.bounded(beat).getVsis(0).getGuest();

        assertThat(kept.getInterfacesCount()).isEqualTo(AgentReportBounds.MAX_GUEST_INTERFACES);
        assertThat(kept.getInterfaces(0).getAddressesCount()).isEqualTo(AgentReportBounds.MAX_GUEST_ADDRESSES);
        assertThat(kept.getInterfaces(0).getName()).isEqualTo("eth0?[31m");
        assertThat(kept.getAgentVersion()).hasSize(AgentReportBounds.MAX_TEXT);
        assertThat(kept.getMessage()).hasSize(AgentReportBounds.MAX_DETAIL).doesNotContain("\u0007");
        assertThat(kept.getState()).isEqualTo(GuestStatus.State.UP);
        assertThat(AgentReportBounds.bounded(beat).getVsis(0).getMessage()).hasSize(AgentReportBounds.MAX_DETAIL);
    }

    @Test
    void aReportUnderTheBoundsIsUnchanged() {
        HeartbeatRequest beat = HeartbeatRequest.newBuilder().setHostId("host-1")
                .addVsis(VsiStatus.newBuilder().setName("web-1").setMessage("started").setGuest(GuestStatus
                        .newBuilder().setState(GuestStatus.State.UP).addInterfaces(GuestInterface.newBuilder()
                                .setName("eth0").setMac("0a:00:00:64:00:02").addAddresses("10.0.0.2/24"))))
                .build();
        assertThat(AgentReportBounds.bounded(beat)).isEqualTo(beat);
    }

    private static void assertRefused(RegisterRequest request, String field) {
        assertThatThrownBy(() -> AgentReportBounds.validate(request))
                .isInstanceOf(FabricException.class)
                .hasMessageContaining(field);
    }
}
