package io.hvfabric.agent.migration;

import io.hvfabric.agent.cgroup.CgroupDetector;
import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.qemu.QemuDriver;
import io.hvfabric.agent.driver.qemu.QemuDriverConfig;
import io.hvfabric.agent.vsi.ImageFiles;
import io.hvfabric.agent.vsi.LaunchSpecs;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node agent's target role alone, in a JVM of its own, so that QemuMigrationIT can SIGKILL it mid-migration as a
 * crash would. Arguments: run root, image dir, cgroup parent, a file holding a serialized ReceiveMigrationRequest, the
 * TLS directory and this host's id (its migration certificate is the one beside the agent's). Prints each TargetEvent
 * as "KIND uri" on stdout.
 */
final class TargetAgentProcess {
    private TargetAgentProcess() {}

    public static void main(String[] args) throws Exception {
        QemuDriver driver = new QemuDriver(QemuDriverConfig.defaults(Path.of(args[0])),
                CgroupDetector.managerFor(CgroupDetector.DEFAULT_ROOT, args[2]));
        LaunchSpecs launchSpecs = new LaunchSpecs(new ImageFiles(Path.of(args[1])), Accelerator.TCG,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE);
        MigrationPolicy policy = new MigrationPolicy(PolicyConfig.defaults().toBuilder()
                .postcopyAllowed(PostcopySupport.available(driver.runAsUser())).build());
        Optional<TlsFiles> tls = Optional.of(MigrationTls.besideAgent(TlsFiles.inDir(Path.of(args[4]), args[5]),
                args[5]));
        MigrationTarget target = new MigrationTarget(driver, driver::qmp, launchSpecs, tls, "127.0.0.1",
                new MigrationSessions(), policy);
        ReceiveMigrationRequest request = ReceiveMigrationRequest.parseFrom(Files.readAllBytes(Path.of(args[3])));
        target.receive(request, event -> {
            System.out.println(event.getKind() + " " + event.getUri());
            System.out.flush();
        }, new CancelSignal());
        Thread.sleep(Long.MAX_VALUE);
    }
}
