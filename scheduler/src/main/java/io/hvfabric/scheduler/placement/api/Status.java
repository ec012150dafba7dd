package io.hvfabric.scheduler.placement.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A plugin's verdict on one host, as a value rather than an exception, so the runtime can collect why every host was
 * rejected and explain it to an operator.
 *
 * <p>Rejections are created in the placement hot loop (often for most hosts of every decision), so the human-readable
 * reason is computed only when someone asks for it.
 */
public final class Status {

    /** Outcome codes, as in the kube-scheduler framework. */
    public enum Code {
        SUCCESS,
        /** Rejected, but the host could fit after something changes there (capacity freed, a VSI moved away). */
        UNSCHEDULABLE,
        /** Rejected for a reason that moving VSIs around cannot fix (state, pinning, accelerator, exclusion). */
        UNSCHEDULABLE_AND_UNRESOLVABLE,
        /** The plugin failed; the host's suitability is unknown. */
        ERROR
    }

    private static final Status SUCCESS = new Status(Code.SUCCESS, null, null, null, List.of(), () -> "");

    private final Code code;
    private final String plugin;
    private final String label;
    // The common single-dimension rejection keeps just its shortfall and allocates no list.
    private final Shortfall singleShortfall;
    private final List<Shortfall> shortfalls;
    private final Supplier<String> reasonSupplier;
    private String reason; // memoized; a racy double computation is harmless since the result is the same

    private Status(
            Code code,
            String plugin,
            String label,
            Shortfall singleShortfall,
            List<Shortfall> shortfalls,
            Supplier<String> reasonSupplier) {
        this.code = code;
        this.plugin = plugin;
        this.label = label;
        this.singleShortfall = singleShortfall;
        this.shortfalls = shortfalls;
        this.reasonSupplier = reasonSupplier;
    }

    /** The shared success value; allocation-free. */
    public static Status success() {
        return SUCCESS;
    }

    /**
     * A rejection that cannot be fixed by moving VSIs.
     *
     * @param label a short phrase that groups hosts in {@link PlacementResult#explain()}, e.g. "cordoned"
     * @param reason the full sentence for this host, computed on demand
     */
    public static Status unresolvable(String plugin, String label, Supplier<String> reason) {
        return rejection(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, plugin, label, reason);
    }

    /** A rejection that could go away when the host's VSIs change; see {@link #unresolvable}. */
    public static Status unschedulable(String plugin, String label, Supplier<String> reason) {
        return rejection(Code.UNSCHEDULABLE, plugin, label, reason);
    }

    /** The host lacks capacity in {@code shortfall}'s dimension. */
    public static Status insufficient(String plugin, Shortfall shortfall) {
        requirePlugin(plugin);
        if (shortfall == null) {
            throw new IllegalArgumentException("Status.insufficient needs a shortfall (plugin " + plugin + ")");
        }
        return new Status(Code.UNSCHEDULABLE, plugin, null, shortfall, null, null);
    }

    /** The plugin failed on this host. */
    public static Status error(String plugin, String reason) {
        return rejection(Code.ERROR, plugin, "plugin error", () -> reason);
    }

    /**
     * This capacity rejection extended with another dimension's shortfall, so a host short in several dimensions
     * counts towards each of them. The first rejecting plugin stays the one named.
     */
    public Status withShortfall(Shortfall another) {
        if (shortfalls().isEmpty()) {
            throw new IllegalStateException("only capacity rejections take further shortfalls, not " + this);
        }
        var all = new ArrayList<>(shortfalls());
        all.add(another);
        return new Status(code, plugin, null, null, List.copyOf(all), null);
    }

    private static Status rejection(Code code, String plugin, String label, Supplier<String> reason) {
        requirePlugin(plugin);
        if (label == null || label.isBlank() || reason == null) {
            throw new IllegalArgumentException("a rejection needs a label and a reason (plugin " + plugin + ")");
        }
        return new Status(code, plugin, label, null, List.of(), reason);
    }

    private static void requirePlugin(String plugin) {
        if (plugin == null || plugin.isBlank()) {
            throw new IllegalArgumentException("a rejection must name its plugin");
        }
    }

    public Code code() {
        return code;
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    /** The plugin that rejected the host; empty on success. */
    public Optional<String> plugin() {
        return Optional.ofNullable(plugin);
    }

    /** Capacity shortfalls behind this rejection; empty for non-capacity rejections. */
    public List<Shortfall> shortfalls() {
        return singleShortfall != null ? List.of(singleShortfall) : shortfalls;
    }

    /** The (first) dimension a capacity rejection is about. */
    public Optional<Dimension> dimension() {
        List<Shortfall> all = shortfalls();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0).dimension());
    }

    /** Short phrases that group hosts in an explanation: "cordoned", "short on memory". Empty on success. */
    public List<String> labels() {
        if (code == Code.SUCCESS) {
            return List.of();
        }
        if (shortfalls().isEmpty()) {
            return List.of(label);
        }
        return shortfalls().stream().map(s -> "short on " + s.dimension().displayName()).toList();
    }

    /** The full reason, e.g. "memory: needs 4096 MiB, free 1024 MiB of 8192 MiB × 1.0". */
    public String reason() {
        String r = reason;
        if (r == null) {
            r = shortfalls().isEmpty()
                    ? reasonSupplier.get()
                    : String.join("; ", shortfalls().stream().map(Shortfall::describe).toList());
            reason = r;
        }
        return r;
    }

    @Override
    public String toString() {
        return isSuccess() ? "SUCCESS" : code + " by " + plugin + ": " + reason();
    }
}
