package io.hvfabric.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the accelerator decision together: the ioctl probe, the boot check of a real guest kernel (through the
 * on-disk cache), and the chooser's rules. Runs once at agent start.
 */
public final class AcceleratorDecider {
    public static final Duration DEFAULT_BOOT_BOUND = Duration.ofSeconds(10);
    public static final Path DEFAULT_CACHE_DIR = Path.of("/var/cache/hvfabric/accel");
    private static final Logger LOG = LoggerFactory.getLogger(AcceleratorDecider.class);
    /** Kernel modules that can serve /dev/kvm; which one is loaded changes what boots. */
    private static final List<String> KVM_MODULES = List.of("kvm_pvm", "kvm_intel", "kvm_amd");

    /**
     * @param imageDir where the default image's kernel lives
     * @param cacheDir where boot-check results are kept across agent restarts
     * @param kernelRelease the host's uname -r
     * @param qemuVersion the installed QEMU's version (part of the cache key)
     */
    public record Inputs(AccelMode mode, Path imageDir, Path cacheDir, String kernelRelease, String qemuVersion,
                         String cpuModel, String machineType, Duration bootBound) {}

    /** The decision and the probe it used. */
    public record Decision(AcceleratorChoice choice, KvmProbeResult probe) {}

    private final KvmProbe probe;
    private final Path sysModules;

    public AcceleratorDecider(KvmProbe probe, Path sysModules) {
        this.probe = probe;
        this.sysModules = sysModules;
    }

    public AcceleratorDecider() {
        this(new KvmProbe(), Path.of("/sys/module"));
    }

    public Decision decide(Inputs in) {
        KvmProbeResult kvm = in.mode() == AccelMode.TCG
                ? new KvmProbeResult(false, 0, 0, false, "not probed: --accel tcg")
                : probe.probe();
        boolean pvm = Files.exists(sysModules.resolve("kvm_pvm"));
        AcceleratorChoice choice = new AcceleratorChooser().choose(in.mode(), kvm, pvm, () -> bootCheck(in));
        return new Decision(choice, kvm);
    }

    private Optional<BootCheckResult> bootCheck(Inputs in) {
        Optional<BootKernel> kernel = BootKernel.find(in.imageDir(), in.kernelRelease());
        if (kernel.isEmpty()) {
            return Optional.empty();
        }
        QemuBootCheck check = new QemuBootCheck("qemu-system-x86_64", kernel.get(), in.cpuModel(), in.machineType(),
                in.bootBound());
        try {
            String key = BootCheckCache.key(List.of(in.kernelRelease(), procVersion(), loadedKvmModules(),
                    in.qemuVersion(), in.cpuModel(), in.machineType()), kernel.get().kernel());
            BootCheckResult result = new BootCheckCache(in.cacheDir()).get(key, check::bootUnderKvm);
            LOG.info("KVM boot check of {}: {}", kernel.get().kernel(), result.describe());
            return Optional.of(result);
        } catch (IOException e) {
            LOG.warn("cannot key the boot-check cache ({}); checking now", e.toString());
            return Optional.of(check.bootUnderKvm());
        }
    }

    private String loadedKvmModules() {
        return String.join(",", KVM_MODULES.stream().filter(m -> Files.exists(sysModules.resolve(m))).toList());
    }

    private static String procVersion() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/version"))) {
            return lines.findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
