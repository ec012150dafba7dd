package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Volume;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Volumes as operators read them: kind, size, where a local one lives and which VSIs have it attached. */
public final class VolumeViews {
    private static final String SYSTEM = "system";
    private static final String NONE = "-";

    private VolumeViews() {}

    public static String list(List<Volume> volumes) {
        Table table = new Table("NAME", "TENANT", "KIND", "SIZE", "STATE", "HOST", "ATTACHED TO");
        for (Volume v : volumes) {
            table.row(v.getName(), tenant(v), kind(v), Units.bytes(v.getSizeBytes()), state(v),
                    v.getHost().isEmpty() ? NONE : v.getHost(),
                    v.getAttachedToCount() == 0 ? NONE : String.join(",", v.getAttachedToList()));
        }
        return table.render();
    }

    public static String detail(Volume v, Instant now) {
        return new KeyValueBlock()
                .add("volume", v.getName())
                .add("tenant", tenant(v))
                .add("kind", kind(v))
                .add("size", Units.bytes(v.getSizeBytes()) + " (" + v.getSizeBytes() + " bytes)")
                .add("state", state(v))
                .add("host", v.getHost().isEmpty() ? "none yet (the host of the VSI it first attaches to)"
                        : v.getHost())
                .add("attached to", v.getAttachedToCount() == 0 ? "none" : String.join(", ", v.getAttachedToList()))
                .add("shareable", v.getShareable() ? "yes" : "")
                .add("scratch", v.getScratch() ? "yes (deleted with its VSI)" : "")
                .add("created", Timestamps.withAge(v.getCreatedAt(), now))
                .render();
    }

    private static String tenant(Volume v) {
        return v.getTenant().isEmpty() ? SYSTEM : v.getTenant();
    }

    private static String kind(Volume v) {
        return v.getKind().name().toLowerCase(Locale.ROOT);
    }

    private static String state(Volume v) {
        return v.getState().name().toLowerCase(Locale.ROOT);
    }
}
