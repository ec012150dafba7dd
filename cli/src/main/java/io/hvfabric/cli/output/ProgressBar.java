package io.hvfabric.cli.output;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * A byte-progress line on stderr: {@code [#####.....] 45% 120/256 MiB 1.2 GiB/s eta 3s}. On a
 * terminal it redraws in place with a carriage return; into a pipe or log it prints one line per
 * update so nothing is garbled.
 */
public final class ProgressBar {
    public static final int DEFAULT_WIDTH = 20;

    private final PrintStream stream;
    private final boolean interactive;
    private final String label;
    private final int width;
    private int lastLength;
    private boolean drawn;

    public ProgressBar(PrintStream stream, boolean interactive, String label, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width: must be at least 1, got " + width);
        }
        this.stream = Objects.requireNonNull(stream, "stream");
        this.interactive = interactive;
        this.label = label == null ? "" : label;
        this.width = width;
    }

    /** A bar on {@code stream} that redraws in place only when the JVM has a terminal. */
    public static ProgressBar onStderr(PrintStream stream, String label) {
        return new ProgressBar(stream, System.console() != null, label, DEFAULT_WIDTH);
    }

    /**
     * @param done bytes transferred so far
     * @param total bytes expected in all, or 0 or less when unknown
     * @param bytesPerSecond current rate, or 0 or less when unknown
     */
    public void update(long done, long total, double bytesPerSecond) {
        String line = (label.isEmpty() ? "" : label + " ") + render(done, total, bytesPerSecond, width);
        if (interactive) {
            // Pad with spaces so a shorter line fully covers the previous one.
            stream.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            stream.println(line);
        }
        drawn = true;
        stream.flush();
    }

    /** Ends the redrawn line so later output starts on a fresh one. */
    public void finish() {
        if (interactive && drawn) {
            stream.println();
            stream.flush();
        }
        drawn = false;
        lastLength = 0;
    }

    public static String render(long done, long total, double bytesPerSecond, int width) {
        StringBuilder line = new StringBuilder();
        long clampedDone = Math.max(0, done);
        if (total > 0) {
            // Integer arithmetic so an exact 45% never shows as 44%; byte counts times 100 stay far within a long.
            long shown = Math.min(clampedDone, total);
            int filled = (int) (shown * width / total);
            line.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
            line.append(shown * 100 / total).append("% ");
            line.append(Units.bytesRatio(Math.min(clampedDone, total), total));
        } else {
            line.append('[').append(".".repeat(width)).append("] ").append(Units.bytes(clampedDone));
        }
        if (bytesPerSecond > 0) {
            line.append(' ').append(Units.bytesPerSecond(bytesPerSecond));
            if (total > 0) {
                long remaining = Math.max(0, total - clampedDone);
                // Whole seconds, rounded up: "eta 0s" only once nothing is left.
                Duration eta = Duration.ofSeconds((long) Math.ceil(remaining / bytesPerSecond));
                line.append(" eta ").append(Units.duration(eta).replace("0ms", "0s"));
            }
        }
        return line.toString();
    }
}
