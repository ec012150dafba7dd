package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scheduler and the node agent depend on this module, so it may use nothing of the fabric but the contracts. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PackageBoundaryTest {

    private static final Pattern FABRIC_IMPORT = Pattern.compile("^import\\s+(static\\s+)?io\\.hvfabric\\.([a-z_]+)");

    @Test
    void mainSourcesImportOnlyProtoFromTheFabric() throws IOException {
        Path main = Path.of("src/main/java");
        assertThat(main).isDirectory();
        List<String> violations;
        try (Stream<Path> files = Files.walk(main)) {
            violations = files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(p -> lines(p).stream()
                            .map(FABRIC_IMPORT::matcher)
                            .filter(m -> m.find() && !m.group(2).equals("proto") && !m.group(2).equals("migration"))
                            .map(m -> main.relativize(p) + ": " + m.group()))
                    .toList();
        }
        assertThat(violations).isEmpty();
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p, e);
        }
    }
}
