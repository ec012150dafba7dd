package io.hvfabric.scheduler.migrate;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Prometheus metrics of live migrations, recorded by the leader that drove them. */
public final class MigrationMetrics {
    final Histogram duration;
    final Histogram downtime;
    final Counter transferred;
    final Counter finished;
    final Gauge inFlight;

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
    }
}
