package io.hvfabric.agent.driver.qemu;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Makes sure the unprivileged system user QEMU drops to exists (root only). */
final class QemuUser {
    private QemuUser() {}

    static void ensureExists(String user) {
        if (run(List.of("id", "-u", user)) == 0) {
            return;
        }
        int rc = run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", "--user-group", user));
        // 9: created concurrently by another agent instance.
        if (rc != 0 && rc != 9) {
            throw new IllegalStateException("useradd --system " + user + " failed with exit code " + rc);
        }
    }

    private static int run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 30 s");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

}
