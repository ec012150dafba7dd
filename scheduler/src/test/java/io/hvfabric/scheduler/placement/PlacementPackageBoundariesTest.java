package io.hvfabric.scheduler.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The placement API stays free of its plugins and runtime, plugins never reach into the runtime or each other's
 * packages, and nothing in placement touches I/O-heavy libraries. Checked on the sources, which surefire runs beside.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PlacementPackageBoundariesTest {

    private static final Path ROOT = Path.of("src/main/java/io/hvfabric/scheduler/placement");
    private static final String PKG = "io.hvfabric.scheduler.placement.";

    @Test
    void apiImportsOnlyTheJdkAndItself() throws IOException {
        assertThat(importsIn("api"))
                .allSatisfy(i -> assertThat(i).matches("java\\..*|" + PKG.replace(".", "\\.") + "api\\..*"));
    }

    @Test
    void pluginsImportOnlyTheApiTheJdkAndTheirOwnPackage() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT.resolve("plugins"))) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String own = PKG + "plugins." + dir.getFileName() + ".";
                assertThat(importsIn("plugins/" + dir.getFileName()))
                        .as("imports of plugins." + dir.getFileName())
                        .allSatisfy(i -> assertThat(i.startsWith("java.") || i.startsWith(PKG + "api.")
                                        || i.startsWith(own))
                                .as(i)
                                .isTrue());
            }
        }
    }

    @Test
    void placementDependsOnNothingOutsideItselfAndTheJdk() throws IOException {
        assertThat(importsIn(""))
                .allSatisfy(i -> assertThat(i.startsWith("java.") || i.startsWith(PKG)).as(i).isTrue());
    }

    private static List<String> importsIn(String subdir) throws IOException {
        Path dir = ROOT.resolve(subdir);
        assertThat(dir).isDirectory();
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).toList();
            assertThat(sources).isNotEmpty();
            return sources.stream()
                    .flatMap(PlacementPackageBoundariesTest::lines)
                    .map(String::trim)
                    .filter(l -> l.startsWith("import "))
                    .map(l -> l.replaceFirst("^import (static )?", "").replace(";", ""))
                    .collect(Collectors.toList());
        }
    }

    private static Stream<String> lines(Path p) {
        try {
            return Files.readAllLines(p).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
