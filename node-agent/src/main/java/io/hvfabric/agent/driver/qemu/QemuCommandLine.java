package io.hvfabric.agent.driver.qemu;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.DiskAttachment;
import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.agent.driver.VmLaunchSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Builds the QEMU argv for one VSI. Pure: no I/O, so every option is unit-tested.
 *
 * <p>Guest RAM is QEMU's default: private anonymous memory. No memory-backend-file/memfd and no
 * {@code share=on}: the kernel hands out zeroed pages (no data left over from an earlier tenant),
 * no other process can map the guest's memory, every page is charged to this VSI's memory cgroup,
 * and live migration moves RAM only through the (optionally TLS) migration stream.
 */
public final class QemuCommandLine {
    /** The port name qemu-ga (and the image's hvf-qga) looks for. */
    static final String GUEST_AGENT_PORT = "org.qemu.guest_agent.0";

    private final String qemuBinary;
    private final VmLaunchSpec spec;
    private final RunDir runDir;
    private final OptionalInt runAsId;
    private final int tcgTranslationCacheMib;

    /** @param runAsId the VSI's own id, which QEMU drops to as uid and gid; empty to stay the agent's user */
    QemuCommandLine(String qemuBinary, VmLaunchSpec spec, RunDir runDir, OptionalInt runAsId,
            int tcgTranslationCacheMib) {
        this.qemuBinary = Objects.requireNonNull(qemuBinary, "qemuBinary");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.runDir = Objects.requireNonNull(runDir, "runDir");
        this.runAsId = Objects.requireNonNull(runAsId, "runAsId");
        this.tcgTranslationCacheMib = tcgTranslationCacheMib;
    }

    public List<String> argv() {
        List<String> a = new ArrayList<>();
        a.add(qemuBinary);
        add(a, "-name", "guest=" + spec.name() + ",debug-threads=on");
        a.add("-nodefaults");
        a.add("-no-user-config");
        add(a, "-display", "none");
        add(a, "-sandbox", sandbox());
        add(a, "-machine", spec.machineType());
        add(a, "-accel", accel());
        add(a, "-cpu", spec.cpuModel());
        add(a, "-smp", Integer.toString(spec.vcpus()));
        add(a, "-m", spec.memoryMib() + "M");
        add(a, "-kernel", spec.kernel().toString());
        add(a, "-initrd", spec.initrd().toString());
        add(a, "-append", spec.cmdline());
        // append=on (O_APPEND): when the agent truncates an oversized log (ConsoleLogCap), QEMU writes on at its new end
        add(a, "-chardev", "file,id=ser0,path=" + optValue(runDir.consoleLog()) + ",append=on");
        add(a, "-serial", "chardev:ser0");
        add(a, "-qmp", "unix:" + optValue(runDir.qmpSocket()) + ",server=on,wait=off");
        add(a, "-pidfile", runDir.pidFile().toString());
        for (NicSpec nic : spec.nics()) {
            add(a, "-netdev", "tap,id=" + nic.id() + ",ifname=" + nic.tap() + ",script=no,downscript=no");
            // host_mtu: the guest's driver sets the network's MTU itself (VXLAN leaves less than 1500), DHCP aside.
            add(a, "-device", "virtio-net-pci,id=dev-" + nic.id() + ",netdev=" + nic.id() + ",mac=" + nic.mac()
                    + (nic.mtu() > 0 ? ",host_mtu=" + nic.mtu() : ""));
        }
        // Every VSI gets the guest agent port, whatever its image: a migration target needs exactly the source's
        // devices, and an image may gain an agent later. After the NICs, so their PCI slots stay where they were.
        add(a, "-device", "virtio-serial-pci,id=vser0");
        add(a, "-chardev", "socket,id=qga0,path=" + optValue(runDir.qgaSocket()) + ",server=on,wait=off");
        add(a, "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=" + GUEST_AGENT_PORT);
        // Disks after every other device, so a VSI without any keeps its PCI layout. Per disk a file node (the qcow2
        // image) and a qcow2 node named by disk index, identical on every host; the serial is the volume's name.
        for (DiskAttachment disk : spec.disks()) {
            String ro = disk.readonly() ? "on" : "off";
            add(a, "-blockdev", "driver=file,node-name=" + disk.nodeName() + "-file,filename="
                    + optValue(disk.file()) + ",read-only=" + ro + ",discard=unmap");
            add(a, "-blockdev", "driver=qcow2,node-name=" + disk.nodeName() + ",file=" + disk.nodeName()
                    + "-file,read-only=" + ro + ",discard=unmap");
            add(a, "-device", "virtio-blk-pci,id=dev-" + disk.nodeName() + ",drive=" + disk.nodeName() + ",serial="
                    + disk.serial());
        }
        // QEMU 7.2 takes "uid:gid" (no account needed) and then also sets the supplementary groups to just gid. It
        // drops only after opening what needs root (taps, /dev/kvm, its sockets and files), so nothing has to be
        // granted to each id beforehand.
        runAsId.ifPresent(id -> add(a, "-runas", id + ":" + id));
        // Start paused: the driver first moves QEMU into its cgroup, then resumes with QMP "cont",
        // so no guest instruction runs unconfined. An incoming migration stays paused until the
        // migration driver resumes it.
        a.add("-S");
        spec.incoming().ifPresent(uri -> add(a, "-incoming", uri));
        return a;
    }

    /**
     * seccomp: no obsolete syscalls, no fork/exec (the agent detaches QEMU itself, so no
     * -daemonize), no scheduler/affinity changes. setuid must stay allowed with -runas because
     * QEMU 7.2 installs the filter before it drops to the unprivileged user; once dropped, it holds
     * no capability to regain root anyway.
     */
    private String sandbox() {
        String elevate = runAsId.isPresent() ? "allow" : "deny";
        return "on,obsolete=deny,elevateprivileges=" + elevate + ",spawn=deny,resourcecontrol=deny";
    }

    /** TCG's translation cache defaults to 1 GiB; a bound keeps QEMU's overhead inside the cgroup's allowance. */
    private String accel() {
        return spec.accelerator() == Accelerator.TCG
                ? "tcg,tb-size=" + tcgTranslationCacheMib
                : spec.accelerator().qemuName();
    }

    /** QEMU's option parser splits on commas; a literal comma is written twice. */
    private static String optValue(Path path) {
        return path.toString().replace(",", ",,");
    }

    private static void add(List<String> argv, String option, String value) {
        argv.add(option);
        argv.add(value);
    }
}
