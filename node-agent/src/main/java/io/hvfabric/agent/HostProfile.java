package io.hvfabric.agent;

import io.hvfabric.agent.host.AcceleratorChoice;
import io.hvfabric.agent.host.HostFacts;
import io.hvfabric.agent.host.KvmProbeResult;
import io.hvfabric.agent.network.OverlayDecision;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.Resources;

/**
 * What this host offers the fabric, derived once at start-up from discovery and the KVM probe: the capacity it
 * registers and the capabilities placement filters on. The accelerator is chosen from evidence (the ioctl probe and a
 * real kernel's boot, see AcceleratorChooser), never by the mere presence of /dev/kvm.
 */
record HostProfile(Resources capacity, HostCapabilities capabilities) {

    static HostProfile of(HostFacts facts, KvmProbeResult kvm, AcceleratorChoice accel, long reservedMemoryMib, String cgroupVersion,
                          String qemuVersion, String cpuModel, String machineType) {
        Resources capacity = Resources.newBuilder()
                .setVcpus(facts.logicalCpus())
                .setMemoryMib(Math.max(0, facts.memoryTotalMib() - reservedMemoryMib))
                .setDiskGib(facts.diskFreeGib())
                .setNicMbps(facts.nic().speedMbps())
                .build();
        HostCapabilities capabilities = HostCapabilities.newBuilder()
                .setAccelerator(accel.accelerator().qemuName())
                .setKvmDevicePresent(kvm.devicePresent())
                .setKvmApiVersion(kvm.apiVersion())
                .setKvmMaxVcpus(kvm.maxVcpus())
                .setKvmUsable(kvm.usable())
                .setKvmProbeDetail(kvm.detail())
                .setCpuModel(cpuModel)
                .setMachineType(machineType)
                .setCgroupVersion(cgroupVersion)
                .setNicName(facts.nic().name())
                .setNicSpeedDefaulted(facts.nic().speedDefaulted())
                .setQemuVersion(qemuVersion)
                .setKernelRelease(facts.kernelRelease())
                .setKvmPvm(accel.pvm())
                .setAccelMode(accel.mode().flagValue())
                .setKvmBootVerified(accel.bootVerified())
                .setAcceleratorReason(accel.reason())
                .build();
        return new HostProfile(capacity, capabilities);
    }

    /** Whether this agent carries TLS migration streams in its own tunnel (it has a usable migration certificate). */
    HostProfile withMigrationTunnel(boolean tunnel) {
        return new HostProfile(capacity, capabilities.toBuilder().setMigrationTunnel(tunnel).build());
    }

    /** With the tenant-network data plane's capabilities: whether VSIs with vNICs may come here, and its VTEP. */
    HostProfile withOverlay(OverlayDecision overlay) {
        HostCapabilities.Builder c = capabilities.toBuilder().setOverlayNetworks(overlay.overlayNetworks());
        overlay.underlay().ifPresent(u -> c.setUnderlayAddress(u.address()).setUnderlayMtu(u.mtu()));
        return new HostProfile(capacity, c.build());
    }
}
