package io.hvfabric.common.validation;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one validation of a {@link VsiSpec} that needs no cluster state. The scheduler runs it before it reserves
 * anything and the agent again before it launches, so both refuse exactly the same specs; the agent's launch spec
 * uses the per-field rules below for the same fields.
 */
public final class VsiSpecRules {
    /** QEMU's limit for a q35 guest without an IOMMU. */
    public static final int MAX_VCPUS = 255;
    public static final long MIN_MEMORY_MIB = 64;
    public static final long MAX_MEMORY_MIB = 1L << 20; // 1 TiB
    public static final long MAX_DISK_GIB = 64L << 10; // 64 TiB
    public static final int MAX_KERNEL_ARGS = 1024;
    public static final int MAX_NICS = 16;
    /** 100 Gbit/s: the fastest NIC a host reports. */
    public static final long MAX_NIC_MBPS = 100_000;
    /** Lowercase, unicast (the first octet's low bit clear), as QEMU and the agent's NICs take it. */
    public static final Pattern MAC = Pattern.compile("[0-9a-f][02468ace](:[0-9a-f]{2}){5}");

    private VsiSpecRules() {}

    public static VsiSpec validate(VsiSpec spec) {
        name(spec.getName());
        vcpus(spec.getVcpus());
        memoryMib(spec.getMemoryMib());
        FieldRules.within("disk_gib", spec.getDiskGib(), 0, MAX_DISK_GIB, "GiB");
        FieldRules.optionalDnsLabel("image", spec.getImage());
        FieldRules.optionalDnsLabel("host", spec.getHost());
        FieldRules.optionalDnsLabel("anti_affinity_group", spec.getAntiAffinityGroup());
        kernelArgs(spec.getKernelArgs());
        nics(spec.getNicsList());
        MigrationRules.downtimeMs("max_downtime_ms", spec.getMaxDowntimeMs());
        MigrationRules.durationMs("max_migration_ms", spec.getMaxMigrationMs());
        return spec;
    }

    /** VSI names become etcd keys, run directories and cgroup names. */
    public static String name(String name) {
        return FieldRules.dnsLabel("name", name);
    }

    public static int vcpus(int vcpus) {
        return (int) FieldRules.within("vcpus", vcpus, 1, MAX_VCPUS, "");
    }

    public static long memoryMib(long memoryMib) {
        return FieldRules.within("memory_mib", memoryMib, MIN_MEMORY_MIB, MAX_MEMORY_MIB, "MiB");
    }

    /** They end up on the guest's kernel command line, one QEMU argument: printable ASCII only. */
    public static String kernelArgs(String args) {
        return FieldRules.printableAscii("kernel_args", args, MAX_KERNEL_ARGS);
    }

    public static String mac(String field, String mac) {
        if (mac.length() != 17 || !MAC.matcher(mac).matches()) {
            throw FabricException.invalidArgument(field,
                    "must be a lowercase unicast MAC address like 52:54:00:12:34:56 (got '%s')", mac);
        }
        return mac;
    }

    private static void nics(List<NicSpec> nics) {
        if (nics.size() > MAX_NICS) {
            throw FabricException.invalidArgument("nics", "must hold at most %d NICs (got %d)", MAX_NICS, nics.size());
        }
        Set<String> macs = new HashSet<>();
        for (int i = 0; i < nics.size(); i++) {
            NicSpec nic = nics.get(i);
            String at = "nics[" + i + "]";
            FieldRules.optionalDnsLabel(at + ".network", nic.getNetwork());
            if (!nic.getMac().isEmpty()) {
                mac(at + ".mac", nic.getMac());
                if (!macs.add(nic.getMac())) {
                    throw FabricException.invalidArgument(at + ".mac", "must be unique within the VSI (got '%s' twice)",
                            nic.getMac());
                }
            }
            FieldRules.within(at + ".mbps", nic.getMbps(), 0, MAX_NIC_MBPS, "Mbit/s");
        }
    }
}
