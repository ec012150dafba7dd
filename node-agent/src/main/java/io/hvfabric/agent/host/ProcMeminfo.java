package io.hvfabric.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads one field of /proc/meminfo. The kernel's MemAvailable estimate counts reclaimable page cache, so it
 * is a better "memory we can still hand to guests" than sysinfo's free + buffers.
 */
public final class ProcMeminfo {
    private final Path file;

    public ProcMeminfo(Path file) {
        this.file = java.util.Objects.requireNonNull(file, "file");
    }

    public static ProcMeminfo system() {
        return new ProcMeminfo(Path.of("/proc/meminfo"));
    }

    /** The named field in bytes (the file states kB), or empty when the file or the field is absent. */
    public OptionalLong bytes(String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equals(field)) {
                    return OptionalLong.of(parseKib(line.substring(colon + 1)) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new HostDiscoveryException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private long parseKib(String value) {
        String number = value.trim().split("\\s+")[0];
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new HostDiscoveryException(file + ": value '" + value.trim() + "' is not a number of kB", e);
        }
    }
}
