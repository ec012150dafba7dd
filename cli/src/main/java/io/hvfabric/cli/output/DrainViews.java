package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.RebalanceMove;
import io.hvfabric.proto.v1.RebalancePlan;

/** Drains and rebalancing plans as operators read them. */
public final class DrainViews {
    private DrainViews() {}

    public static String detail(Drain d) {
        StringBuilder out = new StringBuilder(new KeyValueBlock()
                .add("host", d.getHost())
                .add("phase", d.getPhase().name())
                .add("eta", d.getEtaSeconds() + " s")
                .add("max parallel", d.getMaxParallel() == 0 ? "cluster budgets" : String.valueOf(d.getMaxParallel()))
                .add("message", d.getMessage())
                .render());
        Table table = new Table("#", "VSI", "MEMORY", "TO", "STATE", "MIGRATION", "REASON");
        for (DrainMove m : d.getMovesList()) {
            table.row(m.getOrder() + 1, m.getVsi(), Units.mib(m.getMemoryMib()), m.getTo(), m.getState(),
                    m.getMigrationId(), m.getReason());
        }
        return out.append('\n').append(table.render()).toString();
    }

    /** One line of drain progress: done / total, in flight, unmovable. */
    public static String progress(Drain d) {
        long done = d.getMovesList().stream().filter(m -> m.getState().equals("DONE")).count();
        long moving = d.getMovesList().stream().filter(m -> m.getState().equals("MIGRATING")).count();
        long stuck = d.getMovesList().stream().filter(m -> m.getState().equals("UNMOVABLE")).count();
        return String.format("drain %s: %s, %d/%d moved, %d migrating, %d unmovable", d.getHost(), d.getPhase(),
                done, d.getMovesCount() - stuck, moving, stuck);
    }

    public static String rebalance(RebalancePlan p) {
        StringBuilder out = new StringBuilder(String.format("imbalance %.4f -> %.4f with %d move(s)%n",
                p.getImbalanceBefore(), p.getImbalanceAfter(), p.getMovesCount()));
        if (p.getMovesCount() > 0) {
            Table table = new Table("VSI", "FROM", "TO", "PREDICTED", "DOWNTIME", "MIGRATION");
            for (RebalanceMove m : p.getMovesList()) {
                table.row(m.getVsi(), m.getFrom(), m.getTo(), String.format("%.1f s", m.getPredictedSeconds()),
                        String.format("%.0f ms", m.getPredictedDowntimeMs()), m.getMigrationId());
            }
            out.append(table.render());
        }
        for (String note : p.getNotesList()) {
            out.append("note: ").append(note).append('\n');
        }
        return out.toString();
    }
}
