package io.hvfabric.cli.testing;

import java.util.List;

/** The outcome of one hvctl invocation. */
public record CliRun(int exitCode, String stdout, String stderr) {
    public List<String> stderrLines() {
        return stderr.isEmpty() ? List.of() : List.of(stderr.split("\\R"));
    }
}
