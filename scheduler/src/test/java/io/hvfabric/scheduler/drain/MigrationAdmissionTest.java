package io.hvfabric.scheduler.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationAdmissionTest {

    private static MigrationBudgets budgets(int out, int in, int cluster, Map<String, Long> nics) {
        return new MigrationBudgets(out, in, cluster, 5_000, nics);
    }

    private static final Map<String, Long> TEN_GBIT = Map.of(
            "a", 10_000L, "b", 10_000L, "c", 10_000L, "d", 10_000L, "e", 10_000L, "f", 10_000L, "g", 10_000L);

    private static Transfer t(String vsi, String from, String to, long mbps) {
        return new Transfer(vsi, from, to, mbps);
    }

    @Test
    void outgoingPerHostLimitsASingleSource() {
        List<Transfer> pending = List.of(t("v1", "a", "b", 1_000), t("v2", "a", "c", 1_000), t("v3", "a", "d", 1_000));

        assertThat(MigrationAdmission.admit(List.of(), pending, budgets(2, 5, 10, TEN_GBIT)))
                .extracting(Transfer::vsiName)
                .containsExactly("v1", "v2");
    }

    @Test
    void incomingPerHostLimitsASingleTarget() {
        List<Transfer> pending = List.of(t("v1", "a", "d", 1_000), t("v2", "b", "d", 1_000), t("v3", "c", "d", 1_000));

        assertThat(MigrationAdmission.admit(List.of(), pending, budgets(5, 1, 10, TEN_GBIT)))
                .extracting(Transfer::vsiName)
                .containsExactly("v1");
    }

    @Test
    void clusterWideLimitCountsWhatIsInFlight() {
        List<Transfer> inFlight = List.of(t("x1", "e", "f", 1_000), t("x2", "f", "g", 1_000));
        List<Transfer> pending = List.of(t("v1", "a", "b", 1_000), t("v2", "c", "d", 1_000));

        assertThat(MigrationAdmission.admit(inFlight, pending, budgets(2, 2, 3, TEN_GBIT)))
                .extracting(Transfer::vsiName)
                .containsExactly("v1");
    }

    @Test
    void bandwidthOnEachSideStaysWithinTheNic() {
        // Host a sends 6 Gbit/s already; another 5 Gbit/s would exceed its 10 Gbit/s NIC, 4 Gbit/s fits.
        List<Transfer> inFlight = List.of(t("x1", "a", "b", 6_000));
        List<Transfer> pending = List.of(t("v1", "a", "c", 5_000), t("v2", "d", "a", 4_000));

        assertThat(MigrationAdmission.admit(inFlight, pending, budgets(5, 5, 10, TEN_GBIT)))
                .extracting(Transfer::vsiName)
                .containsExactly("v2");
    }

    @Test
    void aBlockedMoveDoesNotBlockTheOnesBehindIt() {
        List<Transfer> inFlight = List.of(t("x1", "a", "b", 1_000), t("x2", "a", "c", 1_000));
        List<Transfer> pending = List.of(t("v1", "a", "d", 1_000), t("v2", "e", "f", 1_000));

        assertThat(MigrationAdmission.admit(inFlight, pending, budgets(2, 2, 5, TEN_GBIT)))
                .extracting(Transfer::vsiName)
                .containsExactly("v2");
    }

    @Test
    void unknownNicIsAnErrorNamingTheHost() {
        assertThatThrownBy(() -> MigrationAdmission.admit(
                        List.of(), List.of(t("v1", "a", "zz", 1_000)), budgets(2, 2, 5, TEN_GBIT)))
                .hasMessageContaining("nicMbpsByHost")
                .hasMessageContaining("'zz'");
    }

    @Test
    void budgetsRejectNonPositiveLimitsNamingTheField() {
        assertThatThrownBy(() -> budgets(0, 2, 5, Map.of())).hasMessageContaining("maxOutgoingPerHost");
        assertThatThrownBy(() -> budgets(2, 0, 5, Map.of())).hasMessageContaining("maxIncomingPerHost");
        assertThatThrownBy(() -> budgets(2, 2, 0, Map.of())).hasMessageContaining("maxClusterWide");
        assertThatThrownBy(() -> budgets(2, 2, 5, Map.of("a", 0L))).hasMessageContaining("nicMbpsByHost['a']");
    }

    @Test
    void aMoveUsesTheSmallestOfItsCapAndBothNics() {
        MigrationBudgets b = budgets(2, 2, 5, Map.of("a", 10_000L, "b", 1_000L));

        assertThat(b.bandwidthFor("a", "b")).isEqualTo(1_000);
        assertThat(budgets(2, 2, 5, TEN_GBIT).bandwidthFor("a", "b")).isEqualTo(5_000);
    }
}
