package io.hvfabric.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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
    void errorsAreInvalidArgumentNamingTheFieldAndTheRule() {
        assertInvalid(() -> valid().name("Bad_Name").build(), "field 'name': must be a DNS label");
        assertInvalid(() -> valid().name("../x").build(), "field 'name': ");
        assertInvalid(() -> valid().name("vm-").build(), "field 'name': must be a DNS label");
        assertInvalid(() -> valid().vcpus(0).build(), "field 'vcpus': must be within 1..255 (got 0)");
        assertInvalid(() -> valid().memoryMib(8).build(), "field 'memory_mib': must be within 64..1048576 MiB");
        assertInvalid(() -> valid().memoryMib(4L << 20).build(), "field 'memory_mib': must be within 64..1048576");
        assertInvalid(() -> valid().kernel(Path.of("vmlinuz")).build(), "field 'kernel': must be an absolute path");
        assertInvalid(() -> valid().initrd(null).build(), "field 'initrd': must be an absolute path");
        assertInvalid(() -> valid().cmdline("a\nb").build(), "field 'cmdline': must be printable ASCII");
        assertInvalid(() -> valid().cmdline("quiet \u0085").build(), "field 'cmdline': must be printable ASCII");
        assertInvalid(() -> valid().cmdline("x".repeat(2049)).build(), "field 'cmdline': must be at most 2048");
        assertInvalid(() -> valid().accelerator(null).build(), "field 'accelerator': must be kvm or tcg");
        assertInvalid(() -> valid().cpuModel("qemu64,+vmx").build(), "field 'cpuModel': must be");
        assertInvalid(() -> valid().machineType("q35 -device x").build(), "field 'machineType': must be");
        assertInvalid(() -> valid().incoming("exec:rm -rf /").build(), "field 'incoming': must be 'defer'");
    }

    private static void assertInvalid(ThrowingCallable build, String prefix) {
        assertThatThrownBy(build).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).startsWith(prefix).hasSizeLessThanOrEqualTo(300);
        });
    }

    @Test
    void acceptsMigrationUris() {
        assertThat(valid().incoming("tcp:10.0.0.2:4444").build().incoming()).contains("tcp:10.0.0.2:4444");
        assertThat(valid().incoming("unix:/run/hvfabric/vms/vsi-1/mig.sock").build().incoming()).isPresent();
    }

    @Test
    void nicsMustBeUniqueAndWellFormed() {
        NicSpec a = new NicSpec("net0", "tap0", "52:54:00:00:00:01");
        assertInvalid(() -> valid().nic(a).nic(new NicSpec("net0", "tap1", "52:54:00:00:00:02")).build(),
                "field 'nics': ids must be unique");
        assertInvalid(() -> valid().nic(a).nic(new NicSpec("net1", "tap1", "52:54:00:00:00:01")).build(),
                "field 'nics': MAC addresses must be unique");
        assertInvalid(() -> new NicSpec("net0", "tap0", "53:54:00:00:00:01"),
                "field 'nic.mac': must be a lowercase unicast MAC");
        assertInvalid(() -> new NicSpec("net0", "tap0", "zz:zz"), "field 'nic.mac': must be a lowercase unicast MAC");
        assertInvalid(() -> new NicSpec("net0", "a-very-long-tap-name", "52:54:00:00:00:01"),
                "field 'nic.tap': must be 1-15 characters");
        assertInvalid(() -> new NicSpec("net0", "tap0", "52:54:00:00:00:01", 67),
                "field 'nic.mtu': must be 0 (none) or 68 to 65535");
        assertThat(new NicSpec("net0", "tap0", "52:54:00:00:00:01").mtu()).isZero();
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
