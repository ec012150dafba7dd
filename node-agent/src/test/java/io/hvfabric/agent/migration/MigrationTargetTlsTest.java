package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.qmp.QmpClient;
import io.hvfabric.agent.vsi.ImageFiles;
import io.hvfabric.agent.vsi.LaunchSpecs;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS migration the target cannot restrict to its source is refused before any QEMU starts. */
class MigrationTargetTlsTest {
    @TempDir
    Path tmp;
    private FakeDriver driver;
    private TlsFiles migrationTls;

    @BeforeEach
    void agent() throws Exception {
        driver = new FakeDriver(Files.createDirectories(tmp.resolve("vms")));
        Path tlsDir = Files.createDirectories(tmp.resolve("tls"));
        FabricCa.init(tlsDir).issue("host-2", Role.AGENT, List.of("10.0.0.2"), List.of());
        migrationTls = MigrationTls.besideAgent(TlsFiles.inDir(tlsDir, "host-2"), "host-2");
    }

    private MigrationTarget target() {
        return new MigrationTarget(driver, name -> new QmpClient(name), new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE),
                Optional.of(migrationTls), "127.0.0.1", new MigrationSessions(),
                new MigrationPolicy(PolicyConfig.defaults()));
    }

    private static ReceiveMigrationRequest request(String sourceHostId) {
        VsiAssignment assignment = VsiAssignment.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("vm1").setVcpus(1).setMemoryMib(128))
                .setImage(Image.newBuilder().setName("default").setKernel("/k").setInitrd("/i"))
                .setDesired("MIGRATING_IN").build();
        return ReceiveMigrationRequest.newBuilder().setMigrationId("m-1").setTerm(1).setTls(true)
                .setAssignment(assignment.toByteString()).setSourceHostId(sourceHostId).build();
    }

    @Test
    void withoutItsMigrationCertificateTheHostRefusesToReceive() {
        assertThatThrownBy(() -> target().receive(request("host-1"), e -> { }, new CancelSignal()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("no migration certificate: " + migrationTls.cert());
        assertThat(driver.listResident()).isEmpty();
    }

    @Test
    void withoutTheSourceHostIdNoTargetIsStarted() {
        FabricCa.load(migrationTls.ca().getParent()).issue("host-2", Role.MIGRATION, List.of("10.0.0.2"), List.of());

        assertThatThrownBy(() -> target().receive(request(""), e -> { }, new CancelSignal()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source_host_id must name the source host (a DNS label) when tls is set, got ''");
        assertThat(driver.listResident()).isEmpty();
    }
}
