package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.Volume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VolumeCommandsTest {
    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    @Test
    void createSendsTheVolumeFromTheFlags() {
        CliRun run = scheduler.run("volume", "create", "data", "--size", "10G", "--kind", "local", "--tenant", "acme");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(scheduler.service.requests).containsExactly(CreateVolumeRequest.newBuilder()
                .setVolume(Volume.newBuilder().setName("data").setTenant("acme").setKind(Volume.Kind.LOCAL)
                        .setSizeBytes(10L << 30))
                .build());
        assertThat(run.stdout()).containsPattern("volume: +data\n").containsPattern("kind: +local\n")
                .containsPattern("size: +10 GiB \\(10737418240 bytes\\)\n").containsPattern("state: +available\n");
    }

    @Test
    void badSizesAndKindsAreUsageErrorsAndSendNothing() {
        CliRun size = scheduler.run("volume", "create", "data", "--size", "lots");
        CliRun kind = scheduler.run("volume", "create", "data", "--size", "1G", "--kind", "nfs");

        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.stderrLines()).containsExactly("hvctl: --size: must be a size like 64M, 10G or 1T, got 'lots'");
        assertThat(kind.exitCode()).isEqualTo(2);
        assertThat(kind.stderrLines()).containsExactly("hvctl: --kind: must be local or network, got 'nfs'");
        assertThat(scheduler.service.requests).isEmpty();
    }

    @Test
    void aDeleteRefusedWhileAttachedNamesTheVsi() {
        scheduler.service.volumes.put("system/data", Volume.newBuilder().setName("data").addAttachedTo("web-1")
                .build());

        CliRun run = scheduler.run("volume", "delete", "data");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).contains("attached to vsi 'web-1'");
    }

    @Test
    void vsiCreateSendsEachDiskInOrder() {
        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "128", "--disk", "new:64M",
                "--disk", "data,readonly");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(((CreateVsiRequest) scheduler.service.requests.get(0)).getSpec().getDisksList()).containsExactly(
                DiskSpec.newBuilder().setNewSizeBytes(64L << 20).build(),
                DiskSpec.newBuilder().setVolume("data").setReadonly(true).build());
    }
}
