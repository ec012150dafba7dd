package io.hvfabric.agent.migration;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Which migration a VSI's QEMU here takes part in, as empty files named {@code <kind>.<migration id>} in its run
 * directory: they outlive an agent restart and go with that QEMU (the driver empties the run directory on every start
 * and removes it on destroy), so a control call after a restart still knows which migration it may act for. The QEMU
 * user owns the run directory, so the agent only looks at names there: it never opens, follows or reads what it
 * finds. A forged marker can only claim that QEMU's own VSI.
 */
final class MigrationMarkers {
    enum Kind {
        /** Target: being received, or arrived and paused until ResumeTarget. */
        INCOMING("incoming-migration"),
        /** Target: resumed by ResumeTarget (repeating it is harmless). */
        RESUMED("resumed-migration"),
        /** Source: the latest migration sent from this QEMU. */
        OUTGOING("outgoing-migration");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    private static final Pattern MIGRATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private MigrationMarkers() {}

    /** Migration ids become file names: a letter or digit, then up to 63 of [A-Za-z0-9_.-]. */
    static void requireValidId(String migrationId) {
        if (migrationId == null || !MIGRATION_ID.matcher(migrationId).matches()) {
            throw new IllegalArgumentException("migration_id must be a letter or digit followed by up to 63 of "
                    + "[A-Za-z0-9_.-], got '" + migrationId + "'");
        }
    }

    /** Makes {@code migrationId} the one migration of that kind recorded for the QEMU of {@code runDir}. */
    static void mark(Path runDir, Kind kind, String migrationId) throws IOException {
        requireValidId(migrationId);
        clear(runDir, kind, migrationId);
        try {
            Files.createFile(marker(runDir, kind, migrationId)); // O_EXCL: never follows a planted link
        } catch (FileAlreadyExistsException e) {
            if (!has(runDir, kind, migrationId)) {
                throw e; // something else under that name
            }
        }
    }

    static boolean has(Path runDir, Kind kind, String migrationId) {
        return migrationId != null && MIGRATION_ID.matcher(migrationId).matches()
                && Files.isRegularFile(marker(runDir, kind, migrationId), LinkOption.NOFOLLOW_LINKS);
    }

    /** Removes every marker of that kind (unlink removes a link itself, never its target). */
    static void clear(Path runDir, Kind kind) throws IOException {
        clear(runDir, kind, null);
    }

    private static void clear(Path runDir, Kind kind, String keep) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDir, kind.prefix + ".*")) {
            for (Path p : entries) {
                if (keep == null || !p.getFileName().toString().equals(kind.prefix + "." + keep)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Path marker(Path runDir, Kind kind, String migrationId) {
        return runDir.resolve(kind.prefix + "." + migrationId);
    }
}
