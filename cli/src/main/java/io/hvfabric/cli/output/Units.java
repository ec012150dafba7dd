package io.hvfabric.cli.output;

import java.time.Duration;
import java.util.Locale;

/** Human-readable quantities: binary byte units, link speeds, short durations. */
public final class Units {
    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units() {}

    public static String vcpus(int count) {
        return count + " vCPU";
    }

    /** 512 → "512 MiB", 24064 → "23.5 GiB". */
    public static String mib(long mib) {
        return bytes(mib * 1024 * 1024);
    }

    /** 100 → "100 GiB". */
    public static String gib(long gib) {
        return bytes(gib * 1024 * 1024 * 1024);
    }

    public static String bytes(long bytes) {
        int unit = unitFor(bytes);
        return number(bytes / Math.pow(1024, unit)) + " " + BYTE_UNITS[unit];
    }

    /** "1.5/23.5 GiB": both amounts in the unit that suits the larger one. */
    public static String bytesRatio(long usedBytes, long totalBytes) {
        int unit = unitFor(Math.max(usedBytes, totalBytes));
        double scale = Math.pow(1024, unit);
        return number(usedBytes / scale) + "/" + number(totalBytes / scale) + " " + BYTE_UNITS[unit];
    }

    public static String mibRatio(long usedMib, long totalMib) {
        return bytesRatio(usedMib * 1024 * 1024, totalMib * 1024 * 1024);
    }

    public static String gibRatio(long usedGib, long totalGib) {
        return bytesRatio(usedGib * 1024 * 1024 * 1024, totalGib * 1024 * 1024 * 1024);
    }

    public static String bytesPerSecond(double bytesPerSecond) {
        return bytes(Math.round(bytesPerSecond)) + "/s";
    }

    /** 100 → "100 Mbit/s", 10000 → "10 Gbit/s". */
    public static String mbps(long mbps) {
        return mbps >= 1000 ? number(mbps / 1000.0) + " Gbit/s" : mbps + " Mbit/s";
    }

    public static String mbpsRatio(long usedMbps, long totalMbps) {
        return Math.max(usedMbps, totalMbps) >= 1000
                ? number(usedMbps / 1000.0) + "/" + number(totalMbps / 1000.0) + " Gbit/s"
                : usedMbps + "/" + totalMbps + " Mbit/s";
    }

    /** "850ms", "3s", "2m05s", "1h02m". */
    public static String duration(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }

    private static int unitFor(long bytes) {
        int unit = 0;
        double value = Math.abs((double) bytes);
        while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit;
    }

    /** One decimal below 100, none at or above, and no ".0". */
    private static String number(double value) {
        if (Math.abs(value) >= 100 || value == Math.rint(value)) {
            return String.valueOf(Math.round(value));
        }
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }
}
