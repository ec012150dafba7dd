package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.agent.driver.VmLaunchSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class QemuCommandLineTest {
    private static final RunDir DIR = RunDir.of(Path.of("/run/hvfabric/vms"), "web-1");

    private static VmLaunchSpec.Builder spec() {
        return VmLaunchSpec.builder()
                .name("web-1")
                .vcpus(2)
                .memoryMib(512)
                .kernel(Path.of("/images/default/vmlinuz"))
                .initrd(Path.of("/images/default/initrd.gz"))
                .cmdline(VmLaunchSpec.kernelCmdline("console=ttyS0 panic=-1", "hvf.dirty=32", "web-1"));
    }

    private static List<String> argv(VmLaunchSpec spec, OptionalInt runAsId) {
        return new QemuCommandLine("qemu-system-x86_64", spec, DIR, runAsId, 64).argv();
    }

    /** Values of every occurrence of an option. */
    private static List<String> values(List<String> argv, String option) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.size() - 1; i++) {
            if (argv.get(i).equals(option)) {
                out.add(argv.get(i + 1));
            }
        }
        return out;
    }

    private static String value(List<String> argv, String option) {
        List<String> v = values(argv, option);
        assertThat(v).as("occurrences of " + option).hasSize(1);
        return v.get(0);
    }

    @Test
    void tcgGuestHasTheFullIsolatedCommandLine() {
        List<String> a = argv(spec().build(), OptionalInt.empty());

        assertThat(a.get(0)).isEqualTo("qemu-system-x86_64");
        assertThat(a).contains("-nodefaults", "-no-user-config", "-S").doesNotContain("-daemonize", "-nographic");
        assertThat(value(a, "-name")).isEqualTo("guest=web-1,debug-threads=on");
        assertThat(value(a, "-display")).isEqualTo("none");
        assertThat(value(a, "-machine")).isEqualTo("pc-q35-7.2");
        assertThat(value(a, "-accel")).isEqualTo("tcg,tb-size=64");
        assertThat(value(a, "-cpu")).isEqualTo("qemu64");
        assertThat(value(a, "-smp")).isEqualTo("2");
        assertThat(value(a, "-m")).isEqualTo("512M");
        assertThat(value(a, "-kernel")).isEqualTo("/images/default/vmlinuz");
        assertThat(value(a, "-initrd")).isEqualTo("/images/default/initrd.gz");
        assertThat(value(a, "-append")).isEqualTo("console=ttyS0 panic=-1 hvf.dirty=32 hvf.name=web-1");
        assertThat(values(a, "-chardev")).first().isEqualTo("file,id=ser0,path=/run/hvfabric/vms/web-1/console.log,append=on");
        assertThat(value(a, "-serial")).isEqualTo("chardev:ser0");
        assertThat(value(a, "-qmp")).isEqualTo("unix:/run/hvfabric/vms/web-1/qmp.sock,server=on,wait=off");
        assertThat(value(a, "-pidfile")).isEqualTo("/run/hvfabric/vms/web-1/qemu.pid");
        assertThat(values(a, "-incoming")).isEmpty();
        assertThat(values(a, "-netdev")).isEmpty();
        assertThat(a.stream().anyMatch(s -> s.contains("share=on") || s.contains("memory-backend"))).isFalse();
    }

    @Test
    void withoutRunAsTheSandboxAlsoDeniesPrivilegeChanges() {
        List<String> a = argv(spec().build(), OptionalInt.empty());
        assertThat(value(a, "-sandbox")).isEqualTo("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        assertThat(values(a, "-runas")).isEmpty();
    }

    @Test
    void runAsTheVsisOwnIdNeedsSetuidUntilQemuHasDroppedPrivileges() {
        List<String> a = argv(spec().build(), OptionalInt.of(200_017));
        assertThat(value(a, "-runas")).isEqualTo("200017:200017");
        assertThat(value(a, "-sandbox")).isEqualTo("on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny");
    }

    @Test
    void kvmHasNoTranslationCacheOption() {
        List<String> a = argv(spec().accelerator(Accelerator.KVM).cpuModel("Nehalem").machineType("pc-q35-8.0").build(), OptionalInt.empty());
        assertThat(value(a, "-accel")).isEqualTo("kvm");
        assertThat(value(a, "-cpu")).isEqualTo("Nehalem");
        assertThat(value(a, "-machine")).isEqualTo("pc-q35-8.0");
    }

    @Test
    void incomingMigrationWaitsAndStaysPaused() {
        List<String> a = argv(spec().incoming("defer").build(), OptionalInt.empty());
        assertThat(value(a, "-incoming")).isEqualTo("defer");
        assertThat(a).contains("-S");
        assertThat(a.indexOf("-incoming")).isEqualTo(a.size() - 2);
    }

    @Test
    void eachNicIsATapNetdevWithAVirtioDevice() {
        List<String> a = argv(spec()
                .nic(new NicSpec("net0", "tap-web1-0", "52:54:00:00:00:01"))
                .nic(new NicSpec("net1", "tap-web1-1", "52:54:00:00:00:02"))
                .build(), OptionalInt.empty());
        assertThat(values(a, "-netdev")).containsExactly(
                "tap,id=net0,ifname=tap-web1-0,script=no,downscript=no",
                "tap,id=net1,ifname=tap-web1-1,script=no,downscript=no");
        assertThat(values(a, "-device")).startsWith(
                "virtio-net-pci,id=dev-net0,netdev=net0,mac=52:54:00:00:00:01",
                "virtio-net-pci,id=dev-net1,netdev=net1,mac=52:54:00:00:00:02");
    }

    @Test
    void aNicWithAnMtuOffersItToTheGuestAsHostMtu() {
        List<String> a = argv(spec()
                .nic(new NicSpec("net0", "hvt0123456789a0", "0a:00:00:64:00:05", 1450))
                .nic(new NicSpec("net1", "tap-web1-1", "52:54:00:00:00:02"))
                .build(), OptionalInt.empty());
        assertThat(values(a, "-netdev")).first().isEqualTo("tap,id=net0,ifname=hvt0123456789a0,script=no,downscript=no");
        assertThat(values(a, "-device")).startsWith(
                "virtio-net-pci,id=dev-net0,netdev=net0,mac=0a:00:00:64:00:05,host_mtu=1450",
                "virtio-net-pci,id=dev-net1,netdev=net1,mac=52:54:00:00:00:02");
    }

    @Test
    void everyGuestGetsTheGuestAgentPortBesideItsQmpSocketAfterTheNics() {
        List<String> a = argv(spec().nic(new NicSpec("net0", "tap-web1-0", "52:54:00:00:00:01")).build(), OptionalInt.empty());
        assertThat(values(a, "-device")).containsExactly(
                "virtio-net-pci,id=dev-net0,netdev=net0,mac=52:54:00:00:00:01",
                "virtio-serial-pci,id=vser0",
                "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0");
        assertThat(values(a, "-chardev")).containsExactly(
                "file,id=ser0,path=/run/hvfabric/vms/web-1/console.log,append=on",
                "socket,id=qga0,path=/run/hvfabric/vms/web-1/qga.sock,server=on,wait=off");
    }

    @Test
    void anIncomingGuestGetsTheSameDevicesAsItsSource() {
        List<String> normal = argv(spec().build(), OptionalInt.empty());
        List<String> incoming = argv(spec().incoming("defer").build(), OptionalInt.empty());
        assertThat(incoming.subList(0, incoming.size() - 2)).isEqualTo(normal);
    }

    @Test
    void aCommaInTheRunDirIsEscapedInTheGuestAgentSocketPath() {
        List<String> a = new QemuCommandLine("qemu-system-x86_64", spec().build(),
                RunDir.of(Path.of("/run/a,b"), "web-1"), OptionalInt.empty(), 64).argv();
        assertThat(values(a, "-chardev")).contains("socket,id=qga0,path=/run/a,,b/web-1/qga.sock,server=on,wait=off");
    }

    @Test
    void eachDiskIsAFileAndAQcow2NodeBehindVirtioBlkWithTheVolumeAsSerialAfterEveryOtherDevice() {
        List<String> a = argv(spec()
                .disk(new io.hvfabric.agent.driver.DiskAttachment("disk0",
                        Path.of("/var/lib/hvf/volumes/acme/data.qcow2"), 64L << 20, false, "data"))
                .disk(new io.hvfabric.agent.driver.DiskAttachment("disk1",
                        Path.of("/var/lib/hvf/volumes/acme/iso.qcow2"), 1L << 30, true, "iso"))
                .build(), OptionalInt.of(200001));

        assertThat(values(a, "-blockdev")).containsExactly(
                "driver=file,node-name=disk0-file,filename=/var/lib/hvf/volumes/acme/data.qcow2,read-only=off,"
                        + "discard=unmap",
                "driver=qcow2,node-name=disk0,file=disk0-file,read-only=off,discard=unmap",
                "driver=file,node-name=disk1-file,filename=/var/lib/hvf/volumes/acme/iso.qcow2,read-only=on,"
                        + "discard=unmap",
                "driver=qcow2,node-name=disk1,file=disk1-file,read-only=on,discard=unmap");
        List<String> devices = values(a, "-device");
        assertThat(devices.subList(devices.size() - 2, devices.size())).containsExactly(
                "virtio-blk-pci,id=dev-disk0,drive=disk0,serial=data",
                "virtio-blk-pci,id=dev-disk1,drive=disk1,serial=iso");
    }

    @Test
    void aVsiWithoutDisksHasNoBlockDevice() {
        List<String> a = argv(spec().build(), OptionalInt.empty());

        assertThat(values(a, "-blockdev")).isEmpty();
        assertThat(values(a, "-device")).noneMatch(d -> d.startsWith("virtio-blk"));
    }
}
