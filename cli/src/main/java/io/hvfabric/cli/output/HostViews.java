package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Vsi;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Table renderings of hosts. */
public final class HostViews {
    private HostViews() {}

    public static String list(List<Host> hosts) {
        Table table = new Table("ID", "ADDRESS", "STATE", "ACCEL", "VCPUS", "MEMORY", "DISK", "NIC", "VSIS", "MEMBERSHIP");
        for (Host host : hosts) {
            Resources cap = host.getCapacity();
            Resources alloc = host.getAllocated();
            table.row(host.getId(), host.getAddress(), state(host), host.getAccelerator(),
                    alloc.getVcpus() + "/" + cap.getVcpus(),
                    Units.mibRatio(alloc.getMemoryMib(), cap.getMemoryMib()),
                    Units.gibRatio(alloc.getDiskGib(), cap.getDiskGib()),
                    Units.mbpsRatio(alloc.getNicMbps(), cap.getNicMbps()),
                    host.getVsiCount(), host.getMembership());
        }
        return table.render();
    }

    /** The host as a key/value block, followed by the VSIs allocated to it. */
    public static String detail(Host host, List<Vsi> vsis, Instant now) {
        Resources cap = host.getCapacity();
        Resources alloc = host.getAllocated();
        HostCapabilities caps = host.getCapabilities();
        KeyValueBlock block = new KeyValueBlock()
                .add("id", host.getId())
                .add("address", host.getAddress())
                .add("state", state(host))
                .add("admin state", host.getAdminState())
                .add("accelerator", accelerator(host))
                .add("kvm", kvmEvidence(caps))
                .add("lease", host.getLeaseAlive() ? "alive" : "expired")
                .add("membership", host.getMembership())
                .add("vcpus", alloc.getVcpus() + "/" + Units.vcpus(cap.getVcpus()) + " allocated")
                .add("memory", Units.mibRatio(alloc.getMemoryMib(), cap.getMemoryMib()) + " allocated")
                .add("disk", Units.gibRatio(alloc.getDiskGib(), cap.getDiskGib()) + " allocated")
                .add("nic", Units.mbpsRatio(alloc.getNicMbps(), cap.getNicMbps()) + " allocated"
                        + (caps.getNicName().isEmpty() ? "" : " on " + caps.getNicName())
                        + (caps.getNicSpeedDefaulted() ? " (speed defaulted)" : ""))
                .add("vsis", host.getVsiCount() + (cap.getVsiCount() > 0 ? " of at most " + cap.getVsiCount() : ""))
                .add("cpu model", caps.getCpuModel())
                .add("machine", caps.getMachineType())
                .add("qemu", caps.getQemuVersion())
                .add("kernel", caps.getKernelRelease())
                .add("cgroup", caps.getCgroupVersion());
        if (host.hasUsage()) {
            block.add("load", String.format(Locale.ROOT, "%.2f (1m), %s memory available, %s disk free, %d running",
                    host.getUsage().getLoadAverage1M(), Units.mib(host.getUsage().getMemoryAvailableMib()),
                    Units.gib(host.getUsage().getDiskFreeGib()), host.getUsage().getRunningVsis()));
        }
        block.add("labels", host.getLabelsMap().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")))
                .add("registered", Timestamps.withAge(host.getRegisteredAt(), now))
                .add("last heartbeat", Timestamps.withAge(host.getLastHeartbeat(), now))
                .add("metrics", host.getMetricsAddress());
        StringBuilder text = new StringBuilder(block.render());
        text.append('\n');
        if (vsis.isEmpty()) {
            text.append("no VSIs on this host\n");
        } else {
            text.append(VsiViews.list(vsis));
        }
        return text.toString();
    }

    private static String state(Host host) {
        return host.getState() == Host.State.STATE_UNSPECIFIED ? "UNKNOWN" : host.getState().name();
    }

    /** "tcg (mode auto) - <why>": the accelerator, the agent's --accel, and the agent's reason for the choice. */
    private static String accelerator(Host host) {
        HostCapabilities caps = host.getCapabilities();
        String accel = host.getAccelerator().isEmpty() ? caps.getAccelerator() : host.getAccelerator();
        String mode = caps.getAccelMode().isEmpty() ? "" : " (mode " + caps.getAccelMode() + ")";
        if (!caps.getAcceleratorReason().isEmpty()) {
            return accel + mode + " - " + caps.getAcceleratorReason();
        }
        if (!caps.getKvmDevicePresent()) {
            return accel + mode + (accel.isEmpty() ? "" : " ") + "(no /dev/kvm)";
        }
        String probe = caps.getKvmUsable() ? "KVM usable" : "KVM unusable";
        return accel + mode + " (" + probe + (caps.getKvmProbeDetail().isEmpty() ? "" : ": " + caps.getKvmProbeDetail()) + ")";
    }

    /** The evidence behind the accelerator: the /dev/kvm ioctl probe, the guest boot check, and kvm_pvm. */
    private static String kvmEvidence(HostCapabilities caps) {
        if (!caps.getKvmDevicePresent()) {
            return "no /dev/kvm";
        }
        StringBuilder text = new StringBuilder("ioctl probe ").append(caps.getKvmUsable() ? "passed" : "failed");
        if (!caps.getKvmProbeDetail().isEmpty()) {
            text.append(" (").append(caps.getKvmProbeDetail()).append(')');
        }
        text.append(", boot check ").append(caps.getKvmBootVerified() ? "passed" : "not passed");
        if (caps.getKvmPvm()) {
            text.append(", served by kvm_pvm (runs only PVM guests)");
        }
        return text.toString();
    }
}
