package io.hvfabric.agent.driver;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.common.validation.VsiSpecRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything needed to launch one VSI, validated when built; each error (INVALID_ARGUMENT) names the field
 * and the rule. The fields a VSI spec also has (name, vcpus, memory, the command line's characters, NICs)
 * follow the fabric's shared rules ({@link VsiSpecRules}); the rest is the driver's own. Values end up in a
 * hypervisor command line, so anything that could smuggle in extra options (commas, whitespace, control
 * characters) is rejected.
 *
 * @param name VSI name; also its run directory and cgroup name
 * @param kernel absolute path of the kernel on this host
 * @param initrd absolute path of the initramfs on this host
 * @param cmdline full kernel command line, see {@link #kernelCmdline}
 * @param cpuModel guest CPU model; the same model on every host keeps VSIs migratable
 * @param machineType versioned machine type, e.g. {@code pc-q35-7.2}, stable across QEMU upgrades
 * @param incoming {@code defer} or a {@code tcp:}/{@code unix:} URI to wait for a live migration
 * @param nics virtio NICs, possibly none
 * @param disks virtio-blk disks in guest order (vda, vdb, ...), possibly none
 */
public record VmLaunchSpec(
        String name,
        int vcpus,
        long memoryMib,
        Path kernel,
        Path initrd,
        String cmdline,
        Accelerator accelerator,
        String cpuModel,
        String machineType,
        Optional<String> incoming,
        List<NicSpec> nics,
        List<DiskAttachment> disks) {

    /** x86 Linux COMMAND_LINE_SIZE. */
    public static final int MAX_CMDLINE = 2048;
    /** Baseline x86-64 model that both TCG and every KVM host implement: migratable anywhere. */
    public static final String DEFAULT_CPU_MODEL = "qemu64";
    /** QEMU 7.2's q35; a versioned type keeps the guest ABI fixed when hosts upgrade QEMU. */
    public static final String DEFAULT_MACHINE_TYPE = "pc-q35-7.2";
    /** As the scheduler allows. */
    public static final int MAX_DISKS = 16;

    private static final Pattern QEMU_IDENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern INCOMING = Pattern.compile("defer|(tcp|unix):[^\\s,]+");

    public VmLaunchSpec {
        requireValidName(name);
        VsiSpecRules.vcpus(vcpus);
        VsiSpecRules.memoryMib(memoryMib);
        require(kernel != null && kernel.isAbsolute(), "kernel", "must be an absolute path", kernel);
        require(initrd != null && initrd.isAbsolute(), "initrd", "must be an absolute path", initrd);
        require(cmdline != null, "cmdline", "must be present", cmdline);
        FieldRules.printableAscii("cmdline", cmdline, MAX_CMDLINE);
        require(accelerator != null, "accelerator", "must be kvm or tcg", accelerator);
        require(cpuModel != null && QEMU_IDENT.matcher(cpuModel).matches(), "cpuModel",
                "must be a QEMU CPU model name of [A-Za-z0-9_.-]", cpuModel);
        require(machineType != null && QEMU_IDENT.matcher(machineType).matches(), "machineType",
                "must be a QEMU machine type of [A-Za-z0-9_.-]", machineType);
        require(incoming != null, "incoming", "must be present or Optional.empty()", incoming);
        incoming.ifPresent(uri -> require(INCOMING.matcher(uri).matches(), "incoming",
                "must be 'defer' or a tcp:/unix: URI without spaces or commas", uri));
        require(nics != null && nics.size() <= VsiSpecRules.MAX_NICS, "nics",
                "must hold at most " + VsiSpecRules.MAX_NICS + " NICs", nics == null ? null : nics.size());
        Set<String> ids = new HashSet<>();
        Set<String> macs = new HashSet<>();
        for (NicSpec nic : nics) {
            require(nic != null, "nics", "must not contain null", nics);
            require(ids.add(nic.id()), "nics", "ids must be unique", nic.id());
            require(macs.add(nic.mac()), "nics", "MAC addresses must be unique", nic.mac());
        }
        nics = List.copyOf(nics);
        require(disks != null && disks.size() <= MAX_DISKS, "disks", "must hold at most " + MAX_DISKS + " disks",
                disks == null ? null : disks.size());
        Set<String> nodes = new HashSet<>();
        Set<java.nio.file.Path> files = new HashSet<>();
        for (DiskAttachment disk : disks) {
            require(disk != null, "disks", "must not contain null", disks);
            require(nodes.add(disk.nodeName()), "disks", "node names must be unique", disk.nodeName());
            require(files.add(disk.file()), "disks", "files must be unique", disk.file());
        }
        disks = List.copyOf(disks);
    }

    /** Without disks. */
    public VmLaunchSpec(String name, int vcpus, long memoryMib, Path kernel, Path initrd, String cmdline,
                        Accelerator accelerator, String cpuModel, String machineType, Optional<String> incoming,
                        List<NicSpec> nics) {
        this(name, vcpus, memoryMib, kernel, initrd, cmdline, accelerator, cpuModel, machineType, incoming, nics,
                List.of());
    }

    /** VSI names become directory and cgroup names: the fabric's rule for VSI names, a DNS label. */
    public static String requireValidName(String name) {
        return VsiSpecRules.name(name);
    }

    private static void require(boolean ok, String field, String rule, Object value) {
        if (!ok) {
            throw FabricException.invalidArgument(field, rule + " (got '%s')", String.valueOf(value));
        }
    }

    /** Image base command line + the VSI's own kernel arguments + {@code hvf.name=<name>}. */
    public static String kernelCmdline(String imageBase, String vsiArgs, String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : new String[] {imageBase, vsiArgs, "hvf.name=" + name}) {
            if (part != null && !part.isBlank()) {
                sb.append(sb.length() == 0 ? "" : " ").append(part.trim());
            }
        }
        return sb.toString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fluent builder with the defaults of a small TCG guest. */
    public static final class Builder {
        private String name;
        private int vcpus = 1;
        private long memoryMib = 256;
        private Path kernel;
        private Path initrd;
        private String cmdline = "";
        private Accelerator accelerator = Accelerator.TCG;
        private String cpuModel = DEFAULT_CPU_MODEL;
        private String machineType = DEFAULT_MACHINE_TYPE;
        private Optional<String> incoming = Optional.empty();
        private final List<NicSpec> nics = new ArrayList<>();
        private final List<DiskAttachment> disks = new ArrayList<>();

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        public Builder memoryMib(long memoryMib) {
            this.memoryMib = memoryMib;
            return this;
        }

        public Builder kernel(Path kernel) {
            this.kernel = kernel;
            return this;
        }

        public Builder initrd(Path initrd) {
            this.initrd = initrd;
            return this;
        }

        /** The complete command line; see {@link #kernelCmdline} to compose it. */
        public Builder cmdline(String cmdline) {
            this.cmdline = cmdline;
            return this;
        }

        public Builder accelerator(Accelerator accelerator) {
            this.accelerator = accelerator;
            return this;
        }

        public Builder cpuModel(String cpuModel) {
            this.cpuModel = cpuModel;
            return this;
        }

        public Builder machineType(String machineType) {
            this.machineType = machineType;
            return this;
        }

        public Builder incoming(String uri) {
            this.incoming = Optional.ofNullable(uri);
            return this;
        }

        public Builder nic(NicSpec nic) {
            nics.add(Objects.requireNonNull(nic, "nic"));
            return this;
        }

        public Builder disk(DiskAttachment disk) {
            disks.add(Objects.requireNonNull(disk, "disk"));
            return this;
        }

        public VmLaunchSpec build() {
            return new VmLaunchSpec(name, vcpus, memoryMib, kernel, initrd, cmdline, accelerator, cpuModel,
                    machineType, incoming, nics, disks);
        }
    }
}
