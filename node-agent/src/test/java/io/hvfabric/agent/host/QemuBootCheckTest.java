package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hvfabric.agent.driver.Accelerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot check against a stand-in for QEMU whose guest spins without a word (what kvm_pvm does with a standard
 * kernel): the check says so within its bound and leaves no process behind.
 */
class QemuBootCheckTest {
    @TempDir
    Path tmp;

    @Test
    void aSilentGuestIsReportedWithinTheBoundAndItsQemuDoesNotOutliveTheCheck() throws Exception {
        Path pidFile = tmp.resolve("pid");
        Path fakeQemu = tmp.resolve("qemu-spins");
        Files.writeString(fakeQemu, "#!/bin/sh\necho $$ > " + pidFile + "\nexec sleep 600\n");
        Files.setPosixFilePermissions(fakeQemu, PosixFilePermissions.fromString("rwx------"));
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "not a kernel");
        QemuBootCheck check = new QemuBootCheck(fakeQemu.toString(), new BootKernel(kernel, Optional.empty()),
                "qemu64", "pc-q35-7.2", Duration.ofSeconds(1));

        long t0 = System.nanoTime();
        BootCheckResult result = check.boot(Accelerator.KVM);

        assertThat(result.booted()).isFalse();
        assertThat(result.evidence()).contains("no kernel output on the serial console within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        // SIGKILL is sent, not awaited: the process goes a moment later.
        await().atMost(Duration.ofSeconds(3)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }
}
