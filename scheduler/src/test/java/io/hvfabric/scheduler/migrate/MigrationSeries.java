package io.hvfabric.scheduler.migrate;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a scrape of a registry shows of one migration in flight: its gauges' series, by name and extra label. */
final class MigrationSeries {
    private static final List<String> IDENTITY = List.of("migration", "vsi", "from", "to");

    private MigrationSeries() {}

    /**
     * Every gauge series labelled {@code migration=id}, keyed by the metric's name plus any label beyond the
     * migration's identity ({@code hvf_migration_phase{phase=PRECOPY}}); an identity label other than
     * {@code identity} (vsi, from, to in that order) fails, so a series cannot carry another migration's hosts.
     */
    static Map<String, Double> of(PrometheusRegistry registry, String id, String... identity) {
        Map<String, Double> series = new TreeMap<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (!(snapshot instanceof GaugeSnapshot gauge)) {
                continue;
            }
            for (GaugeSnapshot.GaugeDataPointSnapshot point : gauge.getDataPoints()) {
                if (!id.equals(point.getLabels().get("migration"))) {
                    continue;
                }
                checkIdentity(snapshot, point, identity);
                StringBuilder key = new StringBuilder(snapshot.getMetadata().getPrometheusName());
                List<Label> extra = point.getLabels().stream().filter(l -> !IDENTITY.contains(l.getName())).toList();
                if (!extra.isEmpty()) {
                    key.append('{');
                    extra.forEach(l -> key.append(l.getName()).append('=').append(l.getValue()));
                    key.append('}');
                }
                series.put(key.toString(), point.getValue());
            }
        }
        return series;
    }

    private static void checkIdentity(MetricSnapshot snapshot, DataPointSnapshot point, String... identity) {
        for (int i = 0; i < identity.length; i++) {
            String label = IDENTITY.get(i + 1);
            if (!identity[i].equals(point.getLabels().get(label))) {
                throw new AssertionError(snapshot.getMetadata().getName() + point.getLabels() + ": " + label
                        + " is not " + identity[i]);
            }
        }
    }
}
