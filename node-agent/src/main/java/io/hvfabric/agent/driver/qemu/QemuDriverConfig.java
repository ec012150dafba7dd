package io.hvfabric.agent.driver.qemu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Node-level settings of the QEMU driver, validated here.
 *
 * @param qemuBinary the emulator to run, a name on PATH or a path
 * @param runRoot parent of the per-VSI run directories; must survive agent restarts (not tmpfs
 *     cleaned on agent start), e.g. /run/hvfabric/vms
 * @param runAsUser unprivileged user QEMU drops to when the agent runs as root; ignored otherwise
 * @param memoryOverheadBytes added to guest RAM for the memory cgroup limit, see {@link #DEFAULT_MEMORY_OVERHEAD}
 * @param tcgTranslationCacheMib TCG translation-block cache size ({@code -accel tcg,tb-size=})
 * @param startTimeout how long QEMU may take to come up (QMP socket, greeting, cont)
 * @param quitTimeout after QMP "quit", how long before SIGKILL
 */
public record QemuDriverConfig(
        String qemuBinary,
        Path runRoot,
        Optional<String> runAsUser,
        long memoryOverheadBytes,
        int tcgTranslationCacheMib,
        Duration startTimeout,
        Duration quitTimeout) {

    public static final String DEFAULT_USER = "hvfabric-qemu";
    /**
     * 192 MiB above guest RAM: QEMU's own RSS for a small q35 guest is a few tens of MiB (binary,
     * libraries, device models, firmware copies, page tables), TCG's translation cache adds up to
     * {@link #DEFAULT_TCG_TB_MIB}, and live migration needs buffers (multifd, TLS) on top. Too small
     * a margin gets QEMU OOM-killed under the cgroup. Measured under TCG with tb-size=64: a 192 MiB
     * guest whose RAM is all touched peaks at about 300 MiB RSS, i.e. ~110 MiB over guest RAM.
     */
    public static final long DEFAULT_MEMORY_OVERHEAD = 192L << 20;
    public static final int DEFAULT_TCG_TB_MIB = 64;

    public QemuDriverConfig {
        if (qemuBinary == null || qemuBinary.isBlank()) {
            throw new IllegalArgumentException("qemuBinary must be a non-empty command or path, got '" + qemuBinary + "'");
        }
        if (runRoot == null || !runRoot.isAbsolute() || runRoot.toString().contains(",")) {
            throw new IllegalArgumentException("runRoot must be an absolute path without commas, got '" + runRoot + "'");
        }
        Objects.requireNonNull(runAsUser, "runAsUser");
        if (memoryOverheadBytes < 0) {
            throw new IllegalArgumentException("memoryOverheadBytes must be >= 0, got " + memoryOverheadBytes);
        }
        if (tcgTranslationCacheMib < 1 || tcgTranslationCacheMib > 2048) {
            throw new IllegalArgumentException("tcgTranslationCacheMib must be within 1..2048, got " + tcgTranslationCacheMib);
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive, got " + startTimeout);
        }
        if (quitTimeout == null || quitTimeout.isNegative()) {
            throw new IllegalArgumentException("quitTimeout must be >= 0, got " + quitTimeout);
        }
    }

    public static QemuDriverConfig defaults(Path runRoot) {
        return new QemuDriverConfig("qemu-system-x86_64", runRoot, Optional.of(DEFAULT_USER), DEFAULT_MEMORY_OVERHEAD,
                DEFAULT_TCG_TB_MIB, Duration.ofSeconds(30), Duration.ofSeconds(5));
    }
}
