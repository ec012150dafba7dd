package io.hvfabric.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host command and returns its standard output (tests use it to ask the OS, not the fabric). */
public final class Shell {
    private Shell() {}

    /** What a command printed (stdout and stderr together) and its exit code; -1 when it had to be killed. */
    public record Outcome(int exitCode, String output) {}

    public static String run(String... cmd) {
        return attempt(cmd).output();
    }

    public static Outcome attempt(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Outcome(-1, out);
            }
            return new Outcome(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Live QEMU processes whose guest name is {@code vsi}. */
    public static long qemuCount(String vsi) {
        return run("pgrep", "-f", "qemu-system-x86_64 -name guest=" + vsi + ",").lines()
                .filter(l -> !l.isBlank())
                .count();
    }

    public static boolean processAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
