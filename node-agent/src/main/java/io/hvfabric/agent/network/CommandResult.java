package io.hvfabric.agent.network;

import java.util.List;

/** What one command did: its exit code and its output. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }
}
