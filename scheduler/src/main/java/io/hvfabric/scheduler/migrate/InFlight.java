package io.hvfabric.scheduler.migrate;

import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.MigrationProgress;
import java.util.Arrays;
import java.util.List;

/**
 * The series of one migration while its runner drives it: the in-flight count of both hosts, a gauge per
 * non-terminal phase, the rung in use, and the source's last progress sample. {@link #close()} removes them all (and
 * ignores anything reported after it), so a scrape never shows a migration that ended.
 */
final class InFlight implements AutoCloseable {
    private static final double MIB = 1024.0 * 1024.0;
    /** PENDING, PREPARING_TARGET, PRECOPY, SWITCHOVER: every phase a migration in flight can be in. */
    private static final List<Migration.Phase> PHASES = Arrays.stream(Migration.Phase.values())
            .filter(p -> p != Migration.Phase.PHASE_UNSPECIFIED && p != Migration.Phase.UNRECOGNIZED
                    && !MigrationPhases.isTerminal(p))
            .toList();

    private final MigrationMetrics metrics;
    private final String[] labels;
    private String rung = "";
    private boolean closed;

    InFlight(MigrationMetrics metrics, Migration m) {
        this.metrics = metrics;
        this.labels = new String[] {m.getId(), m.getName(), m.getFrom(), m.getTo()};
        metrics.inFlight.labelValues(m.getFrom(), "source").inc();
        metrics.inFlight.labelValues(m.getTo(), "target").inc();
        phase(m.getPhase());
        rung(m.getRung());
    }

    /** The phase the record moved to; a terminal one changes nothing (the runner closes this as it returns). */
    synchronized void phase(Migration.Phase current) {
        if (closed || !PHASES.contains(current)) {
            return;
        }
        for (Migration.Phase p : PHASES) {
            metrics.phase.labelValues(with(p.name())).set(p == current ? 1 : 0);
        }
    }

    /** A sample the source's agent streamed: QEMU's counters, with the rates in bytes per second. */
    synchronized void progress(MigrationProgress sample) {
        if (closed) {
            return;
        }
        metrics.remaining.labelValues(labels).set(sample.getRemainingBytes());
        metrics.processed.labelValues(labels).set(sample.getTransferredBytes());
        metrics.dirtyRate.labelValues(labels).set(sample.getDirtyRateMibps() * MIB);
        metrics.transferRate.labelValues(labels).set(sample.getThroughputMibps() * MIB);
        rung(sample.getRung());
    }

    private void rung(String current) {
        if (current.isEmpty() || current.equals(rung)) {
            return;
        }
        if (!rung.isEmpty()) {
            metrics.rung.remove(with(rung));
        }
        metrics.rung.labelValues(with(current)).set(1);
        rung = current;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.inFlight.labelValues(labels[2], "source").dec();
        metrics.inFlight.labelValues(labels[3], "target").dec();
        metrics.remaining.remove(labels);
        metrics.processed.remove(labels);
        metrics.dirtyRate.remove(labels);
        metrics.transferRate.remove(labels);
        for (Migration.Phase p : PHASES) {
            metrics.phase.remove(with(p.name()));
        }
        if (!rung.isEmpty()) {
            metrics.rung.remove(with(rung));
        }
    }

    private String[] with(String last) {
        String[] all = Arrays.copyOf(labels, labels.length + 1);
        all[labels.length] = last;
        return all;
    }
}
