package io.hvfabric.agent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The default guest image for ITs that boot real QEMU: images/build-image (idempotent) run from the repository. */
public final class DefaultImage {
    private DefaultImage() {}

    /** Builds the image if its sources changed and returns its directory (vmlinuz, initrd.gz, cmdline, features). */
    public static Path build() throws Exception {
        Path script = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("images/build-image");
        Process p = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("build-image finished").isTrue();
        assertThat(p.exitValue()).as("build-image exit code").isZero();
        Path dir = Path.of(out.substring(out.lastIndexOf('\n') + 1));
        assertThat(dir.resolve("vmlinuz")).isRegularFile();
        assertThat(dir.resolve("initrd.gz")).isRegularFile();
        return dir;
    }

    /** What the image's {@code features} file lists, e.g. {@code guest-agent}; empty for an image without one. */
    public static List<String> features(Path dir) throws Exception {
        Path f = dir.resolve("features");
        return Files.exists(f) ? Files.readAllLines(f).stream().map(String::trim).filter(s -> !s.isEmpty()).toList() : List.of();
    }
}
