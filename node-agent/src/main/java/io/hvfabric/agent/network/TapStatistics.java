package io.hvfabric.agent.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A device's counters from {@code /sys/class/net/<dev>/statistics} (under a given root, so tests use a tree). */
public final class TapStatistics {
    /** The device's own view: rx is what it received (from the guest, for a tap), tx what it sent (to the guest). */
    public record Counters(long rxBytes, long txBytes, long rxPackets, long txPackets, long rxDropped,
                           long txDropped) {}

    private final Path sysClassNet;

    public TapStatistics(Path sysClassNet) {
        this.sysClassNet = sysClassNet;
    }

    /** The agent's own network namespace. */
    public static TapStatistics system() {
        return new TapStatistics(Path.of("/sys/class/net"));
    }

    /** Empty if the device does not exist (any more). */
    public Optional<Counters> read(String dev) {
        Path dir = sysClassNet.resolve(dev).resolve("statistics");
        try {
            return Optional.of(new Counters(value(dir, "rx_bytes"), value(dir, "tx_bytes"), value(dir, "rx_packets"),
                    value(dir, "tx_packets"), value(dir, "rx_dropped"), value(dir, "tx_dropped")));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long value(Path dir, String name) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(name)).strip());
    }
}
