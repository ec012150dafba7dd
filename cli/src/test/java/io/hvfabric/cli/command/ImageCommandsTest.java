package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.Image;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ImageCommandsTest {
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
    void registerThenList() {
        CliRun register = scheduler.run("image", "register", "busybox", "--kernel", "/var/lib/hv/vmlinuz",
                "--initrd", "/var/lib/hv/initrd.gz", "--cmdline", "console=ttyS0");
        CliRun list = scheduler.run("image", "list", "-o", "json");

        assertThat(register.exitCode()).isZero();
        assertThat(scheduler.service.requests).containsExactly(Image.newBuilder().setName("busybox")
                .setKernel("/var/lib/hv/vmlinuz").setInitrd("/var/lib/hv/initrd.gz").setCmdline("console=ttyS0").build());
        JsonArray images = JsonParser.parseString(list.stdout()).getAsJsonArray();
        assertThat(images).hasSize(1);
        assertThat(images.get(0).getAsJsonObject().get("kernel").getAsString()).isEqualTo("/var/lib/hv/vmlinuz");
    }

    @Test
    void theGuestAgentFlagIsSentAndListed() {
        CliRun register = scheduler.run("image", "register", "qga", "--kernel", "/img/vmlinuz", "--initrd",
                "/img/initrd.gz", "--guest-agent");
        scheduler.run("image", "register", "plain", "--kernel", "/img/vmlinuz", "--initrd", "/img/initrd.gz");
        CliRun list = scheduler.run("image", "list");

        assertThat(register.exitCode()).isZero();
        assertThat(((Image) scheduler.service.requests.get(0)).getGuestAgent()).isTrue();
        assertThat(((Image) scheduler.service.requests.get(1)).getGuestAgent()).isFalse();
        String[] lines = list.stdout().split("\n");
        int column = lines[0].indexOf("GUEST AGENT");
        assertThat(column).isPositive();
        assertThat(lines[1]).startsWith("plain");
        assertThat(lines[1].substring(column).trim()).isEqualTo("no");
        assertThat(lines[2].substring(column).trim()).isEqualTo("yes");
    }

    @Test
    void relativePathsAreRejected() {
        CliRun run = scheduler.run("image", "register", "busybox", "--kernel", "vmlinuz", "--initrd", "/initrd.gz");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("hvctl: --kernel: must be an absolute path on the hosts, got 'vmlinuz'");
        assertThat(scheduler.service.requests).isEmpty();
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        CliRun run = scheduler.run("image", "register", "busybox", "--kernel", "/vmlinuz");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).contains("--initrd");
    }
}
