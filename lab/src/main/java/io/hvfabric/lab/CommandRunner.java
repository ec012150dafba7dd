package io.hvfabric.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short administrative commands (ip, etcdctl) to completion. */
final class CommandRunner {
    private static final long TIMEOUT_SECONDS = 30;

    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs the command and returns its output, failing with its stderr when it exits non-zero. */
    String run(List<String> command) {
        Result result = attempt(command);
        if (!result.ok()) {
            throw new LabException("`" + String.join(" ", command) + "` failed (exit " + result.exitCode() + "): "
                    + result.stderr().strip());
        }
        return result.stdout();
    }

    /** Runs the command and reports the outcome; for teardown, where "already gone" is fine. */
    Result attempt(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            // Outputs are small; read both after exit would risk a full pipe, so read stdout then stderr.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out, "timed out after " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out, err);
        } catch (IOException e) {
            return new Result(-1, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + command.get(0), e);
        }
    }
}
