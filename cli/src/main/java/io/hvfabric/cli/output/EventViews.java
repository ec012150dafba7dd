package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Event;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Fabric events as a table (oldest first), or one line each as they arrive ({@code --follow}). */
public final class EventViews {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String[] HEADERS = {"TIME", "KIND", "OBJECT", "HOST", "MESSAGE"};

    private EventViews() {}

    public static String list(List<Event> events) {
        Table table = new Table(HEADERS);
        for (Event e : events) {
            table.row(cells(e));
        }
        return table.render();
    }

    /** The header of a followed stream, aligned with {@link #line}. */
    public static String header() {
        return String.format("%-24s %-18s %-28s %-10s %s%n", (Object[]) HEADERS);
    }

    public static String line(Event e) {
        return String.format("%-24s %-18s %-28s %-10s %s%n", (Object[]) cells(e));
    }

    private static String[] cells(Event e) {
        return new String[] {TIME.format(Instant.ofEpochSecond(e.getTime().getSeconds(), e.getTime().getNanos())),
                e.getKind().name(), e.getObject().getKind() + "/" + e.getObject().getName(),
                e.getHost().isEmpty() ? "-" : e.getHost(),
                (e.getReplayed() ? "(replayed) " : "") + e.getMessage()};
    }
}
