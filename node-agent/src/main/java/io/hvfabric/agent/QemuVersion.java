package io.hvfabric.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The installed QEMU's version line, reported as a host capability ("none" when QEMU is missing). */
final class QemuVersion {
    private QemuVersion() {}

    static String detect() {
        try {
            Process p = new ProcessBuilder("qemu-system-x86_64", "--version").redirectErrorStream(true).start();
            String first;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                first = r.readLine();
            }
            p.waitFor(5, TimeUnit.SECONDS);
            if (first == null) {
                return "unknown";
            }
            int at = first.indexOf("version ");
            return at < 0 ? first.trim() : first.substring(at + 8).trim().split("\\s+")[0];
        } catch (Exception e) {
            return "none";
        }
    }
}
