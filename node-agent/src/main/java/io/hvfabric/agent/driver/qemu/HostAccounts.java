package io.hvfabric.agent.driver.qemu;

import io.hvfabric.common.error.FabricException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The host's own ids a VSI id range must stay clear of: a local user or group with a VSI's id could signal its QEMU
 * and read its files, and so could a container whose user namespace maps onto it ({@code /etc/subuid},
 * {@code /etc/subgid}). Reads the local files only; ids served by NSS from a directory are not seen.
 */
final class HostAccounts {
    private HostAccounts() {}

    /** Refuses, naming the clash, a range that overlaps an account or subordinate range under {@code etc}. */
    static void requireDisjoint(VsiIdRange range, Path etc) {
        overlap(range, etc).ifPresent(clash -> {
            // Verbatim, not as a quoted argument: the clash comes from the host's files, not a caller.
            throw FabricException.invalidArgument("--vsi-uid-range",
                    range + " overlaps " + clash + "; choose a range no local account or subordinate id range uses");
        });
    }

    static Optional<String> overlap(VsiIdRange range, Path etc) {
        for (String file : List.of("passwd", "group")) {
            for (String[] f : entries(etc.resolve(file))) {
                // A name that reads as an id of the range would be what a lookup of that id by number finds.
                boolean byId = f.length > 2 && isNumber(f[2]) && range.contains(Long.parseLong(f[2]));
                boolean byName = isNumber(f[0]) && range.contains(Long.parseLong(f[0]));
                if (byId || byName) {
                    return Optional.of((file.equals("passwd") ? "user " : "group ") + f[0] + " (id " + f[2] + ") in "
                            + etc.resolve(file));
                }
            }
        }
        for (String file : List.of("subuid", "subgid")) {
            for (String[] f : entries(etc.resolve(file))) {
                if (f.length > 2 && isNumber(f[1]) && isNumber(f[2])) {
                    long start = Long.parseLong(f[1]);
                    long end = start + Long.parseLong(f[2]) - 1;
                    if (start <= range.last() && end >= range.first()) {
                        return Optional.of(f[0] + "'s subordinate ids " + start + "-" + end + " in " + etc.resolve(file));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static List<String[]> entries(Path file) {
        try {
            return Files.readAllLines(file).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(Character::isDigit);
    }
}
