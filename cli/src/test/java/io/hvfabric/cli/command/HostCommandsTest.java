package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.Hosts;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Vsi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HostCommandsTest {
    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
        scheduler.service.hosts.put("h1", Hosts.ready("h1", 8, 24064).toBuilder()
                .setAllocated(Resources.newBuilder().setVcpus(2).setMemoryMib(1536).setDiskGib(10).setVsiCount(1))
                .setVsiCount(1)
                .build());
        scheduler.service.hosts.put("h2", Hosts.ready("h2", 4, 8192));
        scheduler.service.vsis.put("web-1", Vsi.newBuilder().setName("web-1").setHost("h1").setState(Vsi.State.RUNNING)
                .setVcpus(2).setMemoryMib(1536).setImage("default").setDesired("RUNNING").build());
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    @Test
    void hostListJsonIsAnArrayOfHostsWithZeroValuedFields() {
        CliRun run = scheduler.run("host", "list", "-o", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderr()).isEmpty();
        JsonArray hosts = JsonParser.parseString(run.stdout()).getAsJsonArray();
        assertThat(hosts).hasSize(2);
        JsonObject h1 = hosts.get(0).getAsJsonObject();
        assertThat(h1.get("id").getAsString()).isEqualTo("h1");
        assertThat(h1.get("address").getAsString()).isNotEmpty();
        assertThat(h1.get("state").getAsString()).isEqualTo("READY");
        assertThat(h1.get("accelerator").getAsString()).isEqualTo("tcg");
        assertThat(h1.getAsJsonObject("capacity").get("vcpus").getAsInt()).isEqualTo(8);
        assertThat(h1.getAsJsonObject("capacity").get("memoryMib").getAsLong()).isEqualTo(24064);
        assertThat(h1.getAsJsonObject("capacity").get("nicMbps").getAsLong()).isEqualTo(10000);
        assertThat(h1.getAsJsonObject("capacity").get("diskGib").getAsLong()).isEqualTo(100);
        assertThat(h1.getAsJsonObject("allocated").get("vcpus").getAsInt()).isEqualTo(2);
        assertThat(h1.get("vsiCount").getAsInt()).isEqualTo(1);
        JsonObject h2 = hosts.get(1).getAsJsonObject();
        // Default values are printed, so scripts can rely on the fields being present.
        assertThat(h2.getAsJsonObject("allocated").get("vcpus").getAsInt()).isZero();
        assertThat(h2.getAsJsonObject("allocated").get("nicMbps").getAsLong()).isZero();
        assertThat(h2.get("vsiCount").getAsInt()).isZero();
    }

    @Test
    void hostListJsonOfNoHostsIsAnEmptyArray() {
        scheduler.service.hosts.clear();

        CliRun run = scheduler.run("host", "list", "-o", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(JsonParser.parseString(run.stdout()).getAsJsonArray()).isEmpty();
    }

    @Test
    void hostListTableHasAlignedColumnsAndHumanUnits() {
        CliRun run = scheduler.run("host", "list");

        assertThat(run.exitCode()).isZero();
        String[] lines = run.stdout().split("\n");
        assertThat(lines[0]).startsWith("ID").contains("ADDRESS", "STATE", "ACCEL", "VCPUS", "MEMORY", "DISK", "NIC", "VSIS", "MEMBERSHIP");
        assertThat(lines[1]).startsWith("h1").contains("READY", "tcg", "2/8", "1.5/23.5 GiB", "10/100 GiB", "0/10 Gbit/s", "reachable");
        assertThat(lines[2]).startsWith("h2").contains("0/4", "0/8 GiB");
        // Columns align: each header starts where its values start.
        int stateColumn = lines[0].indexOf("STATE");
        assertThat(lines[1].substring(stateColumn)).startsWith("READY");
        assertThat(lines[2].substring(stateColumn)).startsWith("READY");
    }

    @Test
    void hostShowPrintsTheHostAndItsVsis() {
        CliRun run = scheduler.run("host", "show", "h1");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("id:", "h1", "2/8 vCPU allocated", "1.5/23.5 GiB allocated", "web-1", "RUNNING");
    }

    @Test
    void hostShowPrintsTheAcceleratorWithItsEvidence() {
        scheduler.service.hosts.put("h3", Hosts.ready("h3", 2, 4096).toBuilder()
                .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg").setAccelMode("auto")
                        .setKvmDevicePresent(true).setKvmUsable(true).setKvmPvm(true).setKvmBootVerified(false)
                        .setAcceleratorReason("a standard kernel did not boot under kvm_pvm; using TCG"))
                .build());

        CliRun run = scheduler.run("host", "show", "h3");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout())
                .containsPattern("accelerator: +tcg \\(mode auto\\) - a standard kernel did not boot under kvm_pvm; using TCG")
                .containsPattern("kvm: +ioctl probe passed, boot check not passed, served by kvm_pvm \\(runs only PVM guests\\)");
        // host list keeps its columns.
        assertThat(scheduler.run("host", "list").stdout().split("\n")[0].split("\\s+"))
                .containsExactly("ID", "ADDRESS", "STATE", "ACCEL", "VCPUS", "MEMORY", "DISK", "NIC", "VSIS", "MEMBERSHIP");
    }

    @Test
    void hostShowJsonIsOneObject() {
        CliRun run = scheduler.run("host", "show", "h2", "-o", "json");

        assertThat(run.exitCode()).isZero();
        JsonObject host = JsonParser.parseString(run.stdout()).getAsJsonObject();
        assertThat(host.get("id").getAsString()).isEqualTo("h2");
        assertThat(host.getAsJsonObject("capacity").get("vcpus").getAsInt()).isEqualTo(4);
    }

    @Test
    void hostShowOfAnUnknownHostFailsWithOneLine() {
        CliRun run = scheduler.run("host", "show", "h9");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderrLines()).containsExactly("hvctl: not found: host 'h9' does not exist");
    }
}
