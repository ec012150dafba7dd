package io.hvfabric.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the built jars of the fabric's runnable modules lie in a source tree. */
public record RepoLayout(Path root) {
    private static final String VERSION = "0.1.0-SNAPSHOT";

    public RepoLayout {
        root = root.toAbsolutePath().normalize();
    }

    /**
     * The tree named by -Dhvf.repo, else the nearest directory upwards from the working directory whose
     * pom.xml is the hvfabric parent, the one listing the lab module (tests run in a module directory,
     * whose pom names the parent too).
     */
    public static RepoLayout locate() {
        String explicit = System.getProperty("hvf.repo");
        if (explicit != null && !explicit.isBlank()) {
            return new RepoLayout(Path.of(explicit));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (isParentPom(p.resolve("pom.xml"))) {
                return new RepoLayout(p);
            }
        }
        throw new LabException("repo: no hvfabric source tree above " + Path.of("").toAbsolutePath()
                + " (set -Dhvf.repo=<dir>)");
    }

    private static boolean isParentPom(Path pom) {
        try {
            return Files.isRegularFile(pom) && Files.readString(pom).contains("<module>lab</module>");
        } catch (IOException e) {
            return false;
        }
    }

    /** Class path of a runnable module: its jar plus target/lib/*, failing clearly when not built. */
    public String classPath(String module) {
        Path target = root.resolve(module).resolve("target");
        Path jar = target.resolve("hvfabric-" + module + "-" + VERSION + ".jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(target.resolve("lib"))) {
            throw new LabException(module + ": " + jar + " or its target/lib is missing; build with "
                    + "`mvn -q -B -DskipTests package` in " + root);
        }
        return String.join(":", List.of(jar.toString(), target.resolve("lib").resolve("*").toString()));
    }
}
