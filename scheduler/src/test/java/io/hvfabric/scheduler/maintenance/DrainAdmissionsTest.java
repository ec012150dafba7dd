package io.hvfabric.scheduler.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.MigrationObjective;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.placement.HostBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DrainAdmissionsTest {
    private static final Map<String, Long> TEN_GBIT = Map.of("a", 10_000L, "b", 10_000L, "c", 10_000L);

    private static MigrationBudgets budgets(Map<String, Long> nics) {
        return new MigrationBudgets(2, 2, 5, 5_000, nics);
    }

    private static DrainMove planned(String vsi, String to, int order) {
        return DrainMove.newBuilder().setVsi(vsi).setTo(to).setState(DrainController.PLANNED).setOrder(order).build();
    }

    private static Drain drainOfA(int maxParallel, DrainMove... moves) {
        return Drain.newBuilder().setHost("a").setMaxParallel(maxParallel).addAllMoves(List.of(moves)).build();
    }

    private static Migration running(String vsi, String from, String to, long capMibps) {
        return Migration.newBuilder().setName(vsi).setFrom(from).setTo(to).setPhase(Migration.Phase.PRECOPY)
                .setObjective(MigrationObjective.newBuilder().setMaxBandwidthMibps(capMibps)).build();
    }

    @Test
    void admitsInPlanOrderWithinTheOutgoingBudgetEachCappedAtItsLinkShare() {
        Drain drain = drainOfA(0, planned("v3", "c", 2), planned("v1", "b", 0), planned("v2", "c", 1));

        List<DrainAdmissions.Admitted> admitted = DrainAdmissions.admit(drain, List.of(), budgets(TEN_GBIT));

        assertThat(admitted).extracting(a -> a.move().getVsi()).containsExactly("v1", "v2");
        // 5,000 Mbit/s per migration = 625,000,000 B/s = 596 MiB/s: two of them fill a 10 Gbit/s NIC, no more.
        assertThat(admitted).extracting(DrainAdmissions.Admitted::maxBandwidthMibps).containsOnly(596L);
    }

    @Test
    void anUncappedMigrationAlreadyOnTheLinkLeavesNoRoomOnASmallNic() {
        Map<String, Long> sixGbit = Map.of("a", 6_000L, "b", 6_000L, "c", 6_000L);
        Drain drain = drainOfA(0, planned("v1", "b", 0));

        assertThat(DrainAdmissions.admit(drain, List.of(running("x", "a", "c", 0)), budgets(sixGbit))).isEmpty();
        // The same migration capped at 100 MiB/s (839 Mbit/s) leaves 5,161 Mbit/s: the drain's 5,000 fit.
        assertThat(DrainAdmissions.admit(drain, List.of(running("x", "a", "c", 100)), budgets(sixGbit)))
                .extracting(a -> a.move().getVsi()).containsExactly("v1");
    }

    @Test
    void endedMigrationsDoNotCount() {
        Drain drain = drainOfA(0, planned("v1", "b", 0), planned("v2", "c", 1));
        Migration ended = running("x", "a", "b", 0).toBuilder().setPhase(Migration.Phase.COMPLETED).build();

        assertThat(DrainAdmissions.admit(drain, List.of(ended, ended), budgets(TEN_GBIT))).hasSize(2);
    }

    @Test
    void maxParallelCountsTheDrainsOwnMigrations() {
        DrainMove inFlight = planned("v0", "b", 0).toBuilder().setState(DrainController.MIGRATING).build();
        Drain drain = drainOfA(2, inFlight, planned("v1", "b", 1), planned("v2", "c", 2));

        assertThat(DrainAdmissions.admit(drain, List.of(running("v0", "a", "b", 596)), budgets(TEN_GBIT)))
                .extracting(a -> a.move().getVsi()).containsExactly("v1");
    }

    @Test
    void aHostWithoutANicFigureLimitsOnlyByCount() {
        Drain drain = drainOfA(0, planned("v1", "b", 0), planned("v2", "c", 1));

        List<DrainAdmissions.Admitted> admitted = DrainAdmissions.admit(drain, List.of(), budgets(Map.of()));

        assertThat(admitted).hasSize(2);
        assertThat(admitted).extracting(DrainAdmissions.Admitted::maxBandwidthMibps).containsOnly(596L);
    }

    @Test
    void aMoveThatIsNotReadyYetIsSkippedAndTheNextOneTakesItsPlace() {
        Drain drain = drainOfA(0, planned("v1", "b", 0), planned("v2", "c", 1), planned("v3", "b", 2));

        assertThat(DrainAdmissions.admit(drain, List.of(), budgets(TEN_GBIT), m -> !m.getVsi().equals("v1")))
                .extracting(a -> a.move().getVsi()).containsExactly("v2", "v3");
    }

    @Test
    void vnicGuaranteesOnTheDrainedHostShrinkEachMigrationsCapAndTheirSum() {
        // Host a's VSIs are guaranteed 8,800 of its 10,000 Mbit/s: migrations get the 1,200 left, not 2 × 5,000.
        MigrationBudgets known = budgets(Map.of()).withNicsOf(List.of(
                HostBuilder.host("a").allocated(4, 4_096, 0, 8_800).build(),
                HostBuilder.host("b").build(), HostBuilder.host("c").build()));
        Drain drain = drainOfA(0, planned("v1", "b", 0), planned("v2", "c", 1));

        List<DrainAdmissions.Admitted> admitted = DrainAdmissions.admit(drain, List.of(), known);

        // One move at the whole 1,200 Mbit/s (143 MiB/s, rounded down); the second waits for it.
        assertThat(admitted).extracting(a -> a.move().getVsi()).containsExactly("v1");
        assertThat(admitted).extracting(DrainAdmissions.Admitted::maxBandwidthMibps).containsOnly(143L);
        assertThat(DrainAdmissions.mibpsToMbps(143) + 8_800).isLessThanOrEqualTo(10_000);
    }

    @Test
    void vnicGuaranteesOnTheTargetCountAgainstItsNic() {
        MigrationBudgets known = budgets(Map.of()).withNicsOf(List.of(
                HostBuilder.host("a").build(),
                HostBuilder.host("b").allocated(0, 0, 0, 9_500).build(), HostBuilder.host("c").build()));
        Drain drain = drainOfA(0, planned("v1", "b", 0), planned("v2", "c", 1));

        assertThat(DrainAdmissions.admit(drain, List.of(), known))
                .extracting(a -> a.move().getVsi() + "@" + a.maxBandwidthMibps())
                .containsExactly("v1@59", "v2@596");  // 500 Mbit/s to b, the default 5,000 to c
    }

    @Test
    void unitConversionsRoundTowardsTheSafeSide() {
        assertThat(DrainAdmissions.mbpsToMibps(5_000)).isEqualTo(596);  // 596.05 down
        assertThat(DrainAdmissions.mibpsToMbps(596)).isEqualTo(5_000);  // 4,999.6 up
        assertThat(DrainAdmissions.mibpsToMbps(100)).isEqualTo(839);    // 838.9 up
    }
}
