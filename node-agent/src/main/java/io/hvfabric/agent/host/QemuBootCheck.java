package io.hvfabric.agent.host;

import io.hvfabric.agent.driver.Accelerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Boots a guest kernel in a throw-away QEMU (no disk, no network, serial console on stdout) and waits for the
 * kernel's first console line. {@code Linux version} is printed by the decompressed 64-bit kernel once its console
 * is up, so it proves far more than the real-mode setup banner (a kvm_pvm host gets as far as "Probing EDD").
 */
public final class QemuBootCheck implements GuestBootCheck {
    /** Lines that prove a kernel (or the image's init) ran. */
    private static final List<String> MARKERS = List.of("Linux version ", "hvf-boot ");
    private static final int MAX_STDERR_CHARS = 300;

    private final String qemuBinary;
    private final BootKernel kernel;
    private final String cpuModel;
    private final String machineType;
    private final Duration bound;

    public QemuBootCheck(String qemuBinary, BootKernel kernel, String cpuModel, String machineType, Duration bound) {
        this.qemuBinary = qemuBinary;
        this.kernel = kernel;
        this.cpuModel = cpuModel;
        this.machineType = machineType;
        this.bound = bound;
    }

    @Override
    public BootCheckResult bootUnderKvm() {
        return boot(Accelerator.KVM);
    }

    public BootCheckResult boot(Accelerator accelerator) {
        // Under coreutils' timeout: should the agent die during the check (kill -9), nothing else would end a QEMU
        // whose guest spins without a word (kvm_pvm) — timeout, re-parented to init, still kills it after the bound.
        List<String> cmd = new ArrayList<>(List.of("timeout", "--signal=KILL", (bound.toSeconds() + 5) + "s",
                qemuBinary,
                "-accel", accelerator.qemuName(), "-machine", machineType, "-cpu", cpuModel, "-m", "256", "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", kernel.kernel().toString(),
                "-append", "console=ttyS0 panic=-1 hvf.name=accel-check"));
        kernel.initrd().ifPresent(path -> cmd.addAll(List.of("-initrd", path.toString())));
        long start = System.nanoTime();
        Process qemu;
        try {
            qemu = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            return new BootCheckResult(false, "could not start " + qemuBinary + ": " + e.getMessage(), 0, false);
        }
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readBounded(qemu));
        CompletableFuture<String> marker = CompletableFuture.supplyAsync(() -> firstMarker(qemu));
        try {
            String line = marker.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            long millis = elapsedMillis(start);
            if (line != null) {
                return new BootCheckResult(true, "serial console printed '" + line + "' under -accel "
                        + accelerator.qemuName(), millis, false);
            }
            String why = stderrOf(qemu, stderr);
            return new BootCheckResult(false, "QEMU -accel " + accelerator.qemuName() + " exited with "
                    + waitExit(qemu) + " before any kernel output" + (why.isEmpty() ? "" : ": " + why), millis, false);
        } catch (TimeoutException e) {
            return new BootCheckResult(false, "no kernel output on the serial console within " + bound.toMillis()
                    + " ms under -accel " + accelerator.qemuName() + " (the guest hangs or spins)",
                    elapsedMillis(start), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new BootCheckResult(false, "interrupted", elapsedMillis(start), false);
        } catch (Exception e) {
            return new BootCheckResult(false, "boot check failed: " + e, elapsedMillis(start), false);
        } finally {
            // QEMU first: killing timeout alone would leave its child running.
            qemu.descendants().forEach(ProcessHandle::destroyForcibly);
            qemu.destroyForcibly();
            waitExit(qemu);
        }
    }

    private static String firstMarker(Process qemu) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                for (String m : MARKERS) {
                    int at = line.indexOf(m);
                    if (at >= 0) {
                        String proof = line.substring(at).strip();
                        return proof.length() > 80 ? proof.substring(0, 80) + "..." : proof;
                    }
                }
            }
        } catch (IOException e) {
            // the process was destroyed: no marker
        }
        return null;
    }

    private static String readBounded(Process qemu) {
        try {
            byte[] bytes = qemu.getErrorStream().readAllBytes();
            String text = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            return text.length() > MAX_STDERR_CHARS ? text.substring(0, MAX_STDERR_CHARS) + "..." : text;
        } catch (IOException e) {
            return "";
        }
    }

    private static String stderrOf(Process qemu, CompletableFuture<String> stderr) {
        try {
            qemu.waitFor(2, TimeUnit.SECONDS);
            return stderr.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "";
        }
    }

    private static String waitExit(Process qemu) {
        try {
            return qemu.waitFor(5, TimeUnit.SECONDS) ? "status " + qemu.exitValue() : "no exit";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no exit";
        }
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
