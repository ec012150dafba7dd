package io.hvfabric.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class VmLaunchSpecTest {
    private static VmLaunchSpec.Builder valid() {
        return VmLaunchSpec.builder()
                .name("vsi-1")
                .kernel(Path.of("/k/vmlinuz"))
                .initrd(Path.of("/k/initrd.gz"))
                .cmdline("console=ttyS0");
    }

    @Test
    void defaultsAreASmallMigratableTcgGuest() {
        VmLaunchSpec spec = valid().build();
        assertThat(spec.vcpus()).isEqualTo(1);
        assertThat(spec.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(spec.cpuModel()).isEqualTo("qemu64");
        assertThat(spec.machineType()).isEqualTo("pc-q35-7.2");
        assertThat(spec.incoming()).isEmpty();
        assertThat(spec.nics()).isEmpty();
    }

    @Test
    void composesTheKernelCommandLine() {
        assertThat(VmLaunchSpec.kernelCmdline("console=ttyS0 panic=-1 quiet", " hvf.dirty=64 ", "db-2"))
                .isEqualTo("console=ttyS0 panic=-1 quiet hvf.dirty=64 hvf.name=db-2");
        assertThat(VmLaunchSpec.kernelCmdline("console=ttyS0", null, "db-2")).isEqualTo("console=ttyS0 hvf.name=db-2");
    }

    @Test
    void errorsNameTheFieldAndTheRule() {
        assertThatThrownBy(() -> valid().name("Bad_Name").build())
                .hasMessageStartingWith("name must be 1-63 characters of [a-z0-9-]");
        assertThatThrownBy(() -> valid().name("../x").build()).hasMessageStartingWith("name ");
        assertThatThrownBy(() -> valid().vcpus(0).build()).hasMessageStartingWith("vcpus must be within 1..255");
        assertThatThrownBy(() -> valid().memoryMib(8).build()).hasMessageStartingWith("memoryMib must be within 16..");
        assertThatThrownBy(() -> valid().kernel(Path.of("vmlinuz")).build()).hasMessageStartingWith("kernel must be an absolute path");
        assertThatThrownBy(() -> valid().initrd(null).build()).hasMessageStartingWith("initrd must be an absolute path");
        assertThatThrownBy(() -> valid().cmdline("a\nb").build()).hasMessageStartingWith("cmdline must be at most 2048");
        assertThatThrownBy(() -> valid().cmdline("x".repeat(2049)).build()).hasMessageStartingWith("cmdline ");
        assertThatThrownBy(() -> valid().accelerator(null).build()).hasMessageStartingWith("accelerator must be kvm or tcg");
        assertThatThrownBy(() -> valid().cpuModel("qemu64,+vmx").build()).hasMessageStartingWith("cpuModel must be");
        assertThatThrownBy(() -> valid().machineType("q35 -device x").build()).hasMessageStartingWith("machineType must be");
        assertThatThrownBy(() -> valid().incoming("exec:rm -rf /").build()).hasMessageStartingWith("incoming must be 'defer'");
    }

    @Test
    void acceptsMigrationUris() {
        assertThat(valid().incoming("tcp:10.0.0.2:4444").build().incoming()).contains("tcp:10.0.0.2:4444");
        assertThat(valid().incoming("unix:/run/hvfabric/vms/vsi-1/mig.sock").build().incoming()).isPresent();
    }

    @Test
    void nicsMustBeUniqueAndWellFormed() {
        NicSpec a = new NicSpec("net0", "tap0", "52:54:00:00:00:01");
        assertThatThrownBy(() -> valid().nic(a).nic(new NicSpec("net0", "tap1", "52:54:00:00:00:02")).build())
                .hasMessageStartingWith("nics ids must be unique");
        assertThatThrownBy(() -> valid().nic(a).nic(new NicSpec("net1", "tap1", "52:54:00:00:00:01")).build())
                .hasMessageStartingWith("nics MAC addresses must be unique");
        assertThatThrownBy(() -> new NicSpec("net0", "tap0", "53:54:00:00:00:01"))
                .hasMessageStartingWith("nic.mac must be a lowercase unicast MAC");
        assertThatThrownBy(() -> new NicSpec("net0", "a-very-long-tap-name", "52:54:00:00:00:01"))
                .hasMessageStartingWith("nic.tap must be 1-15 characters");
    }

    @Test
    void acceleratorParsesQemuNames() {
        assertThat(Accelerator.parse("KVM")).isEqualTo(Accelerator.KVM);
        assertThatThrownBy(() -> Accelerator.parse("hvf")).hasMessage("accelerator must be one of kvm, tcg; got 'hvf'");
    }

    @Test
    void qemuRunStatesMapToVmStatus() {
        assertThat(VmStatus.fromQemu("running")).isEqualTo(VmStatus.RUNNING);
        assertThat(VmStatus.fromQemu("inmigrate")).isEqualTo(VmStatus.INCOMING);
        assertThat(VmStatus.fromQemu("postmigrate")).isEqualTo(VmStatus.MIGRATED);
        assertThat(VmStatus.fromQemu("guest-panicked")).isEqualTo(VmStatus.CRASHED);
        assertThat(VmStatus.fromQemu("prelaunch")).isEqualTo(VmStatus.PAUSED);
        assertThat(VmStatus.fromQemu("shutdown")).isEqualTo(VmStatus.SHUTDOWN);
    }
}
