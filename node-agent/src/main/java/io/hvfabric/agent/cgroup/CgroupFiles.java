package io.hvfabric.agent.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** File operations shared by the v1 and v2 managers; errors name the file. */
final class CgroupFiles {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private CgroupFiles() {}

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "cgroup name must match " + NAME.pattern() + " (it becomes a directory name), got '" + name + "'");
        }
        return name;
    }

    static void write(Path file, String value) throws IOException {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + file + ": " + e, e);
        }
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    static Set<Long> readPids(Path file) throws IOException {
        Set<Long> pids = new LinkedHashSet<>();
        if (!Files.exists(file)) {
            return pids;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    static void mkdirs(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    /**
     * rmdir of a cgroup. The kernel removes a cgroup's control files with it; a plain directory tree
     * (as in tests) holds real files, so those are deleted first there.
     */
    static void removeCgroupDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        if (!isCgroupFs(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.delete(f);
                    }
                }
            }
        }
        try {
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("cannot remove cgroup " + dir + ": it has child cgroups", e);
        } catch (IOException e) {
            throw new IOException("cannot remove cgroup " + dir + " (processes still in it?): " + e, e);
        }
    }

    private static boolean isCgroupFs(Path dir) throws IOException {
        String type = Files.getFileStore(dir).type();
        return type.equals("cgroup") || type.equals("cgroup2");
    }
}
