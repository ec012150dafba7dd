package io.hvfabric.scheduler.drain;

import static io.hvfabric.scheduler.drain.HostLoadBuilder.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.scheduler.placement.HostBuilder;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Migrations get only the NIC bandwidth the hosts' vNICs are not guaranteed. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationBudgetsTest {

    @Test
    void aHostWhoseVnicGuaranteesTakeMostOfTheNicGetsOnlyTheRest() {
        MigrationBudgets b = MigrationBudgets.defaults().withNicsOf(List.of(
                HostBuilder.host("busy").allocated(4, 4_096, 0, 9_000).build(),
                HostBuilder.host("idle").build()));

        assertThat(b.nicMbps("busy")).isEqualTo(1_000);
        assertThat(b.nicMbps("idle")).isEqualTo(10_000);
        // The smaller side of the link wins: 1,000, not the default 5,000 per migration.
        assertThat(b.bandwidthFor("busy", "idle")).isEqualTo(1_000);
        assertThat(b.bandwidthFor("idle", "busy")).isEqualTo(1_000);
    }

    @Test
    void theTargetsGuaranteesCountToo() {
        MigrationBudgets b = MigrationBudgets.defaults().withNicsOf(List.of(
                HostBuilder.host("src").build(),
                HostBuilder.host("dst").capacity(16, 65_536, 1_024, 10_000).allocated(0, 0, 0, 7_500).build()));

        assertThat(b.bandwidthFor("src", "dst")).isEqualTo(2_500);
    }

    @Test
    void migrationShareNeverLetsMigrationsAndGuaranteesExceedTheNicWhileTheFloorFits() {
        Random random = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            long nic = 1 + random.nextInt(100_000);
            long guaranteed = random.nextInt((int) nic + 1);
            long share = MigrationBudgets.migrationShare(nic, guaranteed);
            assertThat(share).as("share of %d with %d guaranteed", nic, guaranteed).isBetween(1L, nic);
            if (nic - guaranteed >= MigrationBudgets.MIN_MIGRATION_MBPS) {
                assertThat(share + guaranteed).as("nic %d, guaranteed %d", nic, guaranteed).isEqualTo(nic);
            } else {
                assertThat(share).isEqualTo(Math.min(nic, MigrationBudgets.MIN_MIGRATION_MBPS));
            }
        }
    }

    @Test
    void aNicFullyGuaranteedOrOvercommittedStillLetsADrainCrawl() {
        assertThat(MigrationBudgets.migrationShare(10_000, 10_000)).isEqualTo(MigrationBudgets.MIN_MIGRATION_MBPS);
        assertThat(MigrationBudgets.migrationShare(10_000, 25_000)).isEqualTo(MigrationBudgets.MIN_MIGRATION_MBPS);
        assertThat(MigrationBudgets.migrationShare(5, 5)).isEqualTo(5);
        assertThatThrownBy(() -> MigrationBudgets.migrationShare(0, 0)).hasMessageContaining("nicMbps must be >= 1");
        assertThatThrownBy(() -> MigrationBudgets.migrationShare(10, -1))
                .hasMessageContaining("guaranteedMbps must be >= 0");
    }

    @Test
    void admittedMigrationsPlusGuaranteesStayWithinEveryNic() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<String> ids = List.of("a", "b", "c", "d");
            Map<String, Long> guaranteed = new HashMap<>();
            List<HostCandidate> hosts = new ArrayList<>();
            for (String id : ids) {
                long g = random.nextInt(9_990);
                guaranteed.put(id, g);
                hosts.add(HostBuilder.host(id).allocated(0, 0, 0, g).build());
            }
            MigrationBudgets b = new MigrationBudgets(3, 3, 8, 1 + random.nextInt(10_000), null).withNicsOf(hosts);
            List<Transfer> pending = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String from = ids.get(random.nextInt(4));
                String to = ids.get((ids.indexOf(from) + 1 + random.nextInt(3)) % 4);
                pending.add(new Transfer("v" + i, from, to, b.bandwidthFor(from, to)));
            }
            Map<String, Long> used = new HashMap<>(guaranteed);
            for (Transfer t : MigrationAdmission.admit(List.of(), pending, b)) {
                used.merge(t.fromHost(), t.mbps(), Long::sum);
                used.merge(t.toHost(), t.mbps(), Long::sum);
            }
            used.forEach((host, sum) -> assertThat(sum).as("guarantees + migrations on %s", host)
                    .isLessThanOrEqualTo(10_000));
        }
    }

    @Test
    void aDrainPlanOfABusyHostIsSlowerAndPlannedWithinWhatTheTenantsLeave() {
        DrainPlanner planner = new DrainPlanner(
                PlacementPipeline.fromConfig(PlacementConfig.DEFAULT), new PreCopyCostModel());
        ClusterSnapshot quiet = ClusterSnapshot.of(List.of(
                host("a").vsi("v1", 1, 8_192).vsi("v2", 1, 8_192).build(), host("b").build(), host("c").build()));
        ClusterSnapshot busy = ClusterSnapshot.of(List.of(
                host("a").vsiWithNics("v1", 1, 8_192, 4_000).vsiWithNics("v2", 1, 8_192, 4_000).build(),
                host("b").build(), host("c").build()));

        DrainPlan calm = planner.plan("a", quiet, MigrationBudgets.defaults());
        DrainPlan loaded = planner.plan("a", busy, MigrationBudgets.defaults());

        assertThat(loaded.budgets().nicMbps("a")).isEqualTo(2_000);
        assertThat(loaded.etaSeconds()).isGreaterThan(calm.etaSeconds());
        PlanInvariants.assertBudgetsRespected(loaded.schedule(), loaded.budgets());
    }
}
