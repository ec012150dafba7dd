package io.hvfabric.agent.driver.qemu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Node-level settings of the QEMU driver, validated here.
 *
 * @param qemuBinary the emulator to run, a name on PATH or a path
 * @param runRoot parent of the per-VSI run directories; must survive agent restarts (not tmpfs
 *     cleaned on agent start), e.g. /run/hvfabric/vms
 * @param vsiIds the ids QEMU processes drop to when the agent runs as root, one per VSI; unused otherwise
 * @param vsiIdClaims the host-wide record of which run directory holds which id ({@link VsiIdPool}); shared by every
 *     agent on the machine and kept across reboots, so not on tmpfs
 * @param memoryOverheadBytes added to guest RAM for the memory cgroup limit, see {@link #DEFAULT_MEMORY_OVERHEAD}
 * @param tcgTranslationCacheMib TCG translation-block cache size ({@code -accel tcg,tb-size=})
 * @param startTimeout how long QEMU may take to come up (QMP socket, greeting, cont)
 * @param quitTimeout after QMP "quit", how long before SIGKILL
 */
public record QemuDriverConfig(
        String qemuBinary,
        Path runRoot,
        VsiIdRange vsiIds,
        Path vsiIdClaims,
        long memoryOverheadBytes,
        int tcgTranslationCacheMib,
        Duration startTimeout,
        Duration quitTimeout) {

    public static final Path DEFAULT_VSI_ID_CLAIMS = Path.of("/var/lib/hvfabric/vsi-ids");
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
        Objects.requireNonNull(vsiIds, "vsiIds");
        if (vsiIdClaims == null || !vsiIdClaims.isAbsolute()) {
            throw new IllegalArgumentException("vsiIdClaims must be an absolute path, got '" + vsiIdClaims + "'");
        }
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

    /** qemu-img beside the emulator when it is a path, else the one on PATH: it creates the VSIs' disk images. */
    public String qemuImgBinary() {
        Path qemu = Path.of(qemuBinary);
        Path dir = qemu.getParent();
        return dir == null ? "qemu-img" : dir.resolve("qemu-img").toString();
    }

    public static QemuDriverConfig defaults(Path runRoot) {
        return defaults(runRoot, VsiIdRange.DEFAULT);
    }

    public static QemuDriverConfig defaults(Path runRoot, VsiIdRange vsiIds) {
        return new QemuDriverConfig("qemu-system-x86_64", runRoot, vsiIds, DEFAULT_VSI_ID_CLAIMS,
                DEFAULT_MEMORY_OVERHEAD, DEFAULT_TCG_TB_MIB, Duration.ofSeconds(30), Duration.ofSeconds(5));
    }
}
