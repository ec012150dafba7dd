package io.hvfabric.scheduler.migrate;

import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.drain.ObservedCostModel;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.Comparator;
import java.util.List;

/** The most recent completed migrations in the view, as observations for {@link ObservedCostModel}. */
public final class CompletedMigrations {
    /** Recent enough to follow changes in load, enough to smooth one odd migration out. */
    public static final int WINDOW = 20;

    private CompletedMigrations() {}

    public static List<ObservedCostModel.Observation> recent(ClusterView view, int limit) {
        return view.migrations().stream()
                .map(Versioned::value)
                .filter(m -> m.getPhase() == Migration.Phase.COMPLETED)
                .sorted(Comparator.comparing((Migration m) -> Times.instant(m.getCreatedAt())).reversed())
                .limit(limit)
                .map(m -> new ObservedCostModel.Observation(m.getMemoryMib(), m.getTransferredBytes(), m.getTotalMs()))
                .toList();
    }
}
