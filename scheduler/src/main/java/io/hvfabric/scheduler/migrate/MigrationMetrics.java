package io.hvfabric.scheduler.migrate;

import io.hvfabric.proto.v1.Migration;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Prometheus metrics of live migrations, recorded by the leader that drove them: what finished (histograms,
 * counters), and per migration in flight its progress as the source's QEMU last reported it (see {@link InFlight}).
 */
public final class MigrationMetrics {
    private static final String MIGRATION = "migration";
    private static final String VSI = "vsi";
    private static final String FROM = "from";
    private static final String TO = "to";

    final Histogram duration;
    final Histogram downtime;
    final Counter transferred;
    final Counter finished;
    final Gauge inFlight;
    final Gauge remaining;
    final Gauge processed;
    final Gauge dirtyRate;
    final Gauge transferRate;
    final Gauge phase;
    final Gauge rung;

    public MigrationMetrics() {
        this(PrometheusRegistry.defaultRegistry);
    }

    /** Metrics in {@code registry}: a name registers once per registry, so tests give each runner its own. */
    MigrationMetrics(PrometheusRegistry registry) {
        duration = Histogram.builder()
                .name("hvf_migration_duration_seconds")
                .help("end-to-end duration of finished migrations (accepted to terminal phase)")
                .labelNames("result")
                .classicUpperBounds(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)
                .register(registry);
        downtime = Histogram.builder()
                .name("hvf_migration_downtime_seconds")
                .help("guest downtime of completed migrations (QEMU's stop-and-copy plus the fabric's switchover)")
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5)
                .register(registry);
        transferred = Counter.builder()
                .name("hvf_migration_transferred_bytes_total")
                .help("guest memory bytes sent by finished migrations")
                .register(registry);
        finished = Counter.builder()
                .name("hvf_migrations_total")
                .help("finished migrations by result")
                .labelNames("result")
                .register(registry);
        inFlight = Gauge.builder()
                .name("hvf_migrations_in_flight")
                .help("migrations in flight per host and role (source, target)")
                .labelNames("host", "role")
                .register(registry);
        // Per migration in flight, as KubeVirt's kubevirt_vmi_migration_*, removed when it ends: the cardinality is the
        // migrations in flight. The id keeps a migration that ends from removing the series of the VSI's next one,
        // which a retry may start on the same hosts before the first runner has returned.
        remaining = progressGauge(registry, "hvf_migration_data_remaining_bytes",
                "guest memory bytes the migration in flight still has to send (QEMU's ram.remaining)");
        processed = progressGauge(registry, "hvf_migration_data_processed_bytes",
                "guest memory bytes the migration in flight has sent so far (QEMU's ram.transferred)");
        dirtyRate = progressGauge(registry, "hvf_migration_dirty_memory_rate_bytes_per_second",
                "bytes per second the guest dirties while its migration is in flight");
        transferRate = progressGauge(registry, "hvf_migration_memory_transfer_rate_bytes_per_second",
                "bytes per second the migration in flight sends");
        phase = Gauge.builder()
                .name("hvf_migration_phase")
                .help("1 for the phase a migration in flight is in, 0 for its other non-terminal phases")
                .labelNames(MIGRATION, VSI, FROM, TO, "phase")
                .register(registry);
        rung = Gauge.builder()
                .name("hvf_migration_rung")
                .help("1 for the convergence ladder rung a migration in flight uses (precopy, multifd, auto-converge, "
                        + "postcopy)")
                .labelNames(MIGRATION, VSI, FROM, TO, "rung")
                .register(registry);
    }

    private static Gauge progressGauge(PrometheusRegistry registry, String name, String help) {
        return Gauge.builder().name(name).help(help).labelNames(MIGRATION, VSI, FROM, TO).register(registry);
    }

    /** Starts the series of {@code m}, in flight from now until {@link InFlight#close()}. */
    InFlight track(Migration m) {
        return new InFlight(this, m);
    }
}
