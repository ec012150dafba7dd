package io.hvfabric.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the primary NIC: the interface of the default route, else the first UP non-loopback interface. Inside a
 * network namespace whose only leg is a veth, that veth is the answer.
 *
 * <p>Reads {@code proc/net/route} and {@code sys/class/net} under a root directory so tests can hand it a fake
 * tree.
 */
public final class NicDiscovery {
    private static final int IFF_UP = 0x1;
    private static final int IFF_LOOPBACK = 0x8;
    private static final int RTF_UP = 0x1;
    private static final String ANY = "00000000";

    private final Path procNetRoute;
    private final Path sysClassNet;
    private final int defaultSpeedMbps;

    /**
     * @param root the filesystem root holding {@code proc/} and {@code sys/} ("/" on a host)
     * @param defaultSpeedMbps speed to assume for a NIC that reports none
     */
    public NicDiscovery(Path root, int defaultSpeedMbps) {
        if (root == null) {
            throw new IllegalArgumentException("root must not be null");
        }
        if (defaultSpeedMbps <= 0) {
            throw new IllegalArgumentException("defaultSpeedMbps must be positive, got " + defaultSpeedMbps);
        }
        this.procNetRoute = root.resolve("proc/net/route");
        this.sysClassNet = root.resolve("sys/class/net");
        this.defaultSpeedMbps = defaultSpeedMbps;
    }

    public NicDiscovery(int defaultSpeedMbps) {
        this(Path.of("/"), defaultSpeedMbps);
    }

    /** The primary NIC, or empty when the host has no default route and no UP non-loopback interface. */
    public Optional<NicInfo> discover() {
        return defaultRouteInterface().or(this::firstUpInterface).map(this::withSpeed);
    }

    /** The interface of the default route with the lowest metric. */
    Optional<String> defaultRouteInterface() {
        List<String> lines = readLines(procNetRoute);
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            if (f.length < 8 || !ANY.equals(f[1]) || !ANY.equals(f[7])) {
                continue;
            }
            if ((parseHex(f[3]) & RTF_UP) == 0) {
                continue;
            }
            long metric = Long.parseLong(f[6]);
            if (metric < bestMetric) {
                best = f[0];
                bestMetric = metric;
            }
        }
        return Optional.ofNullable(best);
    }

    Optional<String> firstUpInterface() {
        if (!Files.isDirectory(sysClassNet)) {
            return Optional.empty();
        }
        try (Stream<Path> interfaces = Files.list(sysClassNet)) {
            return interfaces
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .filter(name -> {
                        long flags = interfaceFlags(name);
                        return (flags & IFF_UP) != 0 && (flags & IFF_LOOPBACK) == 0;
                    })
                    .findFirst();
        } catch (IOException e) {
            throw new HostDiscoveryException("cannot list " + sysClassNet + ": " + e.getMessage(), e);
        }
    }

    private NicInfo withSpeed(String name) {
        int speed = reportedSpeedMbps(name);
        return speed > 0 ? new NicInfo(name, speed, false) : new NicInfo(name, defaultSpeedMbps, true);
    }

    /** Link speed from sysfs; 0 when missing, unreadable (EINVAL on a down or virtual link), or -1 ("unknown"). */
    private int reportedSpeedMbps(String name) {
        try {
            String text = Files.readString(sysClassNet.resolve(name).resolve("speed")).trim();
            return Math.max(0, Integer.parseInt(text));
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private long interfaceFlags(String name) {
        try {
            return parseHex(Files.readString(sysClassNet.resolve(name).resolve("flags")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static long parseHex(String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        return Long.parseLong(digits, 16);
    }

    private static List<String> readLines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new HostDiscoveryException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
