package io.hvfabric.scheduler.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Migration.Phase;
import io.hvfabric.proto.v1.MigrationProgress;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The series of one migration in flight: there while it runs, following its samples, gone once it ends. */
class InFlightTest {
    private static final double MIB = 1024 * 1024;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MigrationMetrics metrics = new MigrationMetrics(registry);
    private final Migration accepted = Migration.newBuilder().setId("m-7").setName("web-1").setFrom("host-1")
            .setTo("host-2").setPhase(Phase.PENDING).build();

    @Test
    void aMigrationHasAGaugePerPhaseFromTheStartAndProgressOnlyOnceItsSourceReports() {
        try (InFlight series = metrics.track(accepted)) {
            assertThat(series()).containsOnly(
                    entry("hvf_migration_phase{phase=PENDING}", 1.0),
                    entry("hvf_migration_phase{phase=PREPARING_TARGET}", 0.0),
                    entry("hvf_migration_phase{phase=PRECOPY}", 0.0),
                    entry("hvf_migration_phase{phase=SWITCHOVER}", 0.0));
            assertThat(inFlight("host-1", "source")).isEqualTo(1);
            assertThat(inFlight("host-2", "target")).isEqualTo(1);

            series.phase(Phase.PRECOPY);
            series.progress(sample(96L << 20, 160L << 20, 12.5, 32, "precopy"));

            assertThat(series()).containsOnly(
                    entry("hvf_migration_phase{phase=PENDING}", 0.0),
                    entry("hvf_migration_phase{phase=PREPARING_TARGET}", 0.0),
                    entry("hvf_migration_phase{phase=PRECOPY}", 1.0),
                    entry("hvf_migration_phase{phase=SWITCHOVER}", 0.0),
                    entry("hvf_migration_rung{rung=precopy}", 1.0),
                    entry("hvf_migration_data_processed_bytes", (double) (96L << 20)),
                    entry("hvf_migration_data_remaining_bytes", (double) (160L << 20)),
                    entry("hvf_migration_dirty_memory_rate_bytes_per_second", 12.5 * MIB),
                    entry("hvf_migration_memory_transfer_rate_bytes_per_second", 32 * MIB));
        }
    }

    @Test
    void aRungThatChangesReplacesTheOldOneAndASampleWithoutARungKeepsIt() {
        try (InFlight series = metrics.track(accepted.toBuilder().setRung("precopy").build())) {
            series.progress(sample(1, 2, 0, 1, "auto-converge"));
            series.progress(sample(2, 1, 0, 1, ""));

            assertThat(series()).containsEntry("hvf_migration_rung{rung=auto-converge}", 1.0)
                    .doesNotContainKey("hvf_migration_rung{rung=precopy}")
                    .containsEntry("hvf_migration_data_remaining_bytes", 1.0);
        }
    }

    @Test
    void everySeriesOfAnEndedMigrationIsGoneAndLaterReportsDoNotBringThemBack() {
        InFlight series = metrics.track(accepted);
        series.phase(Phase.PRECOPY);
        series.progress(sample(1, 2, 3, 4, "multifd"));
        try (InFlight other = metrics.track(accepted.toBuilder().setId("m-8").build())) {
            series.close();
            series.progress(sample(5, 6, 7, 8, "postcopy"));
            series.phase(Phase.SWITCHOVER);

            assertThat(series()).isEmpty();
            assertThat(MigrationSeries.of(registry, "m-8", "web-1", "host-1", "host-2"))
                    .as("the VSI's next migration keeps its own").containsEntry("hvf_migration_phase{phase=PENDING}", 1.0);
            assertThat(inFlight("host-1", "source")).isEqualTo(1);
        }
        assertThat(inFlight("host-1", "source")).isZero();
        assertThat(inFlight("host-2", "target")).isZero();
    }

    private Map<String, Double> series() {
        return MigrationSeries.of(registry, "m-7", "web-1", "host-1", "host-2");
    }

    private double inFlight(String host, String role) {
        return registry.scrape().stream().filter(s -> s.getMetadata().getName().equals("hvf_migrations_in_flight"))
                .flatMap(s -> ((GaugeSnapshot) s).getDataPoints().stream())
                .filter(p -> host.equals(p.getLabels().get("host")) && role.equals(p.getLabels().get("role")))
                .mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue).sum();
    }

    private static MigrationProgress sample(long transferred, long remaining, double dirtyMibps, double mibps,
                                            String rung) {
        return MigrationProgress.newBuilder().setStatus("active").setTransferredBytes(transferred)
                .setRemainingBytes(remaining).setDirtyRateMibps(dirtyMibps).setThroughputMibps(mibps).setRung(rung)
                .build();
    }
}
