package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.PhaseTransition;
import java.time.Instant;
import java.util.List;

/** Tables and blocks for migrations. */
public final class MigrationViews {
    private MigrationViews() {}

    public static String list(List<Migration> migrations) {
        Table table = new Table("ID", "VSI", "FROM", "TO", "PHASE", "RUNG", "TRANSFERRED", "TOTAL", "DOWNTIME");
        for (Migration m : migrations) {
            table.row(m.getId(), m.getName(), m.getFrom(), m.getTo(), m.getPhase(), m.getRung(),
                    Units.bytes(m.getTransferredBytes()), m.getTotalMs() > 0 ? m.getTotalMs() + " ms" : "",
                    m.getDowntimeMs() > 0 ? m.getDowntimeMs() + " ms" : "");
        }
        return table.render();
    }

    public static String detail(Migration m) {
        KeyValueBlock block = new KeyValueBlock()
                .add("id", m.getId())
                .add("vsi", m.getName())
                .add("from", m.getFrom())
                .add("to", m.getTo())
                .add("phase", m.getPhase().name())
                .add("memory", Units.mib(m.getMemoryMib()))
                .add("rung", m.getRung())
                .add("reason", m.getReason())
                .add("total", m.getTotalMs() + " ms")
                .add("downtime", m.getDowntimeMs() + " ms")
                .add("guest answer", m.getGuestAnswerMs() > 0 ? m.getGuestAnswerMs() + " ms after resume" : "")
                .add("transferred", Units.bytes(m.getTransferredBytes()))
                .add("rounds", String.valueOf(m.getRounds()))
                .add("tls", m.getTls() ? "yes" : "no")
                .add("message", m.getMessage());
        StringBuilder out = new StringBuilder(block.render());
        if (m.getTransitionsCount() > 0) {
            Table table = new Table("PHASE", "AT", "NOTE");
            for (PhaseTransition t : m.getTransitionsList()) {
                table.row(t.getPhase(), Instant.ofEpochSecond(t.getAt().getSeconds(), t.getAt().getNanos()), t.getNote());
            }
            out.append('\n').append(table.render());
        }
        return out.toString();
    }

    /** One line of live progress, e.g. "PRECOPY round 3, dirty 12.0 MiB/s, expected downtime 40 ms". */
    public static String progressNote(Migration m) {
        MigrationProgress p = m.getProgress();
        return String.format("%s round %d, dirty %.1f MiB/s, expected downtime %d ms%s", m.getPhase(), p.getRound(),
                p.getDirtyRateMibps(), p.getExpectedDowntimeMs(), p.getRung().isEmpty() ? "" : ", rung " + p.getRung());
    }
}
