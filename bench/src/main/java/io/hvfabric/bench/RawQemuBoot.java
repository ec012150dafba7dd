package io.hvfabric.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The peer baseline: a bare QEMU (TCG) with the default image, timed from process start to its first hvf-tick. */
public final class RawQemuBoot {
    private final Path imageDir;

    public RawQemuBoot(Path imageDir) {
        this.imageDir = imageDir;
    }

    /** Milliseconds from starting QEMU to the first line containing hvf-tick on its serial console (stdout). */
    public double firstTickMs(long timeoutMs) throws IOException, InterruptedException {
        List<String> cmd = List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "128", "-nographic", "-no-reboot",
                "-kernel", imageDir.resolve("vmlinuz").toString(), "-initrd", imageDir.resolve("initrd.gz").toString(),
                "-append", "console=ttyS0 panic=-1 quiet");
        long start = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        try {
            // A watchdog: a hung guest must not hang the benchmark.
            Thread watchdog = new Thread(() -> {
                try {
                    if (!qemu.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                        qemu.destroyForcibly();
                    }
                } catch (InterruptedException ignored) {
                    // the measurement finished first
                }
            }, "raw-qemu-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(qemu.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.contains("hvf-tick")) {
                        double ms = (System.nanoTime() - start) / 1e6;
                        watchdog.interrupt();
                        return ms;
                    }
                }
            }
            throw new IOException("raw QEMU ended without printing hvf-tick (exit " + qemu.waitFor() + ")");
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
