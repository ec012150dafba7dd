package io.hvfabric.scheduler.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.VsiStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AliveRefreshTest {
    private static final long NOW = Duration.ofHours(1).toNanos();
    private static final OptionalLong JUST_WRITTEN = OptionalLong.of(NOW - Duration.ofMillis(500).toNanos());

    private static GuestStatus guest(GuestStatus.State state) {
        return GuestStatus.newBuilder().setState(state).setAgentVersion("hvf-ga 1").build();
    }

    private static Optional<AliveRecord> recorded(Map<String, GuestStatus> guests) {
        return Optional.of(AliveRecord.newBuilder().setLeaseId(7).putAllGuests(guests).build());
    }

    @Test
    void aGuestStateChangeIsWrittenAtOnce() {
        var reason = AliveRefresh.decide(recorded(Map.of("web-1", guest(GuestStatus.State.BOOTING))),
                Map.of("web-1", guest(GuestStatus.State.UP)), JUST_WRITTEN, NOW);

        assertThat(reason).isEqualTo(AliveRefresh.Reason.GUESTS_CHANGED);
    }

    @Test
    void aNewOrVanishedGuestIsAChange() {
        var recorded = recorded(Map.of("web-1", guest(GuestStatus.State.UP)));

        assertThat(AliveRefresh.decide(recorded, Map.of("web-1", guest(GuestStatus.State.UP),
                "web-2", guest(GuestStatus.State.BOOTING)), JUST_WRITTEN, NOW))
                .isEqualTo(AliveRefresh.Reason.GUESTS_CHANGED);
        assertThat(AliveRefresh.decide(recorded, Map.of(), JUST_WRITTEN, NOW))
                .isEqualTo(AliveRefresh.Reason.GUESTS_CHANGED);
    }

    @Test
    void newInterfaceAddressesAreAChange() {
        GuestStatus withAddress = guest(GuestStatus.State.UP).toBuilder()
                .addInterfaces(GuestInterface.newBuilder().setName("eth0").addAddresses("10.0.0.2/24"))
                .build();

        assertThat(AliveRefresh.decide(recorded(Map.of("web-1", guest(GuestStatus.State.UP))),
                Map.of("web-1", withAddress), JUST_WRITTEN, NOW)).isEqualTo(AliveRefresh.Reason.GUESTS_CHANGED);
    }

    @Test
    void unchangedGuestsWaitForTheUsageCadence() {
        var recorded = recorded(Map.of("web-1", guest(GuestStatus.State.UP)));
        var reported = Map.of("web-1", guest(GuestStatus.State.UP));

        assertThat(AliveRefresh.decide(recorded, reported, JUST_WRITTEN, NOW)).isEqualTo(AliveRefresh.Reason.NONE);
        assertThat(AliveRefresh.decide(recorded, reported,
                OptionalLong.of(NOW - AliveRefresh.USAGE_INTERVAL.toNanos() - 1), NOW))
                .isEqualTo(AliveRefresh.Reason.USAGE_DUE);
    }

    @Test
    void missedPingsAloneWaitForTheUsageCadence() {
        GuestStatus missedOne = guest(GuestStatus.State.UP).toBuilder().setMissedPings(1).build();

        assertThat(AliveRefresh.decide(recorded(Map.of("web-1", guest(GuestStatus.State.UP))),
                Map.of("web-1", missedOne), JUST_WRITTEN, NOW)).isEqualTo(AliveRefresh.Reason.NONE);
    }

    @Test
    void theFirstHeartbeatOfThisReplicaWritesEvenIfTheViewLagsTheRegistration() {
        assertThat(AliveRefresh.decide(Optional.empty(), Map.of(), OptionalLong.empty(), NOW))
                .isEqualTo(AliveRefresh.Reason.USAGE_DUE);
        assertThat(AliveRefresh.decide(Optional.empty(), Map.of("web-1", guest(GuestStatus.State.UP)),
                JUST_WRITTEN, NOW)).isEqualTo(AliveRefresh.Reason.NONE);
    }

    @Test
    void guestsAreTakenFromTheReportsThatCarryOne() {
        HeartbeatRequest request = HeartbeatRequest.newBuilder()
                .addVsis(VsiStatus.newBuilder().setName("web-1").setGuest(guest(GuestStatus.State.UP)))
                .addVsis(VsiStatus.newBuilder().setName("old-agent"))
                .build();

        assertThat(AliveRefresh.guests(request)).containsOnlyKeys("web-1")
                .containsEntry("web-1", guest(GuestStatus.State.UP));
    }
}
