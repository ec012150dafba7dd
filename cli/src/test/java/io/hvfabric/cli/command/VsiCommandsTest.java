package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.ConsoleRequest;
import com.google.protobuf.Timestamp;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VsiCommandsTest {
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
    void createSendsTheSpecFromTheFlags() {
        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "2", "--memory", "2GiB", "--kernel-args", "quiet",
                "--host", "h1", "--anti-affinity", "web", "--disk-gib", "5");

        assertThat(run.exitCode()).isZero();
        VsiSpec spec = ((CreateVsiRequest) scheduler.service.requests.get(0)).getSpec();
        assertThat(spec).isEqualTo(VsiSpec.newBuilder().setName("web-1").setVcpus(2).setMemoryMib(2048).setImage("default")
                .setKernelArgs("quiet").setHost("h1").setAntiAffinityGroup("web").setDiskGib(5).build());
        assertThat(run.stdout()).contains("web-1", "PENDING", "2 vCPU", "2 GiB");
    }

    @Test
    void createWaitFollowsStatesUntilRunning() {
        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait", "-o", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderrLines()).containsExactly(
                "vsi web-1: PENDING", "vsi web-1: SCHEDULED on h1", "vsi web-1: STARTING on h1", "vsi web-1: RUNNING on h1");
        JsonObject vsi = JsonParser.parseString(run.stdout()).getAsJsonObject();
        assertThat(vsi.get("state").getAsString()).isEqualTo("RUNNING");
        assertThat(vsi.get("pid").getAsInt()).isEqualTo(4242);
    }

    @Test
    void createWaitExitsOneWhenTheVsiFails() {
        scheduler.service.lifecycle = List.of(Vsi.State.SCHEDULED, Vsi.State.FAILED);

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderrLines()).last().isEqualTo("hvctl: vsi 'web-1' failed: qemu exited with status 1");
    }

    @Test
    void createWaitGivesUpAtTheTimeout() {
        scheduler.service.lifecycle = List.of(Vsi.State.SCHEDULED);

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait", "--timeout", "500ms");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).last().asString()
                .startsWith("hvctl: timed out after 500ms waiting for vsi 'web-1'").contains("SCHEDULED");
    }

    private static GuestStatus guest(GuestStatus.State state, String message) {
        return GuestStatus.newBuilder().setState(state).setMessage(message).build();
    }

    @Test
    void createWaitAlsoWaitsForTheGuestAgentWhenTheImageHasOne() {
        scheduler.service.images.put("default", Image.newBuilder().setName("default").setGuestAgent(true).build());
        scheduler.service.guestLifecycle = List.of(guest(GuestStatus.State.BOOTING, ""),
                guest(GuestStatus.State.UP, ""));

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait", "-o", "json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderrLines()).hasSize(6);
        assertThat(run.stderrLines().subList(0, 5)).containsExactly("vsi web-1: PENDING", "vsi web-1: SCHEDULED on h1",
                "vsi web-1: STARTING on h1", "vsi web-1: RUNNING on h1, waiting for its guest agent",
                "vsi web-1: RUNNING on h1, guest agent BOOTING");
        assertThat(run.stderrLines().get(5)).matches("vsi web-1: RUNNING on h1, guest agent UP after \\d+\\.\\d s");
        JsonObject vsi = JsonParser.parseString(run.stdout()).getAsJsonObject();
        assertThat(vsi.getAsJsonObject("guest").get("state").getAsString()).isEqualTo("UP");
    }

    @Test
    void createWaitFailsWhenTheGuestTurnsOutToHaveNoAgent() {
        scheduler.service.images.put("default", Image.newBuilder().setName("default").setGuestAgent(true).build());
        scheduler.service.guestLifecycle = List.of(guest(GuestStatus.State.NO_AGENT, "no answer within 60 s of boot"));

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderrLines()).last().isEqualTo(
                "hvctl: vsi 'web-1' runs, but its guest agent is NO_AGENT: no answer within 60 s of boot");
    }

    @Test
    void createWaitForTheGuestIsBoundedByTheWaitTimeout() {
        scheduler.service.images.put("default", Image.newBuilder().setName("default").setGuestAgent(true).build());
        scheduler.service.guestLifecycle = List.of(guest(GuestStatus.State.BOOTING, "no answer yet"));

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait",
                "--wait-timeout", "700ms");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).last().isEqualTo("hvctl: timed out after 700ms waiting for vsi 'web-1''s guest "
                + "agent to be UP (still BOOTING: no answer yet)");
    }

    @Test
    void createWaitDoesNotWaitForAGuestAgentTheImageLacks() {
        scheduler.service.images.put("default", Image.newBuilder().setName("default").build());
        scheduler.service.guestLifecycle = List.of(guest(GuestStatus.State.NO_AGENT, "image has no guest agent"));

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--wait");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderrLines()).last().isEqualTo("vsi web-1: RUNNING on h1");
    }

    @Test
    void listShowsTheGuestStateAndItsFirstIpv4Address() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setHost("h1").setState(Vsi.State.RUNNING)
                .setGuest(GuestStatus.newBuilder().setState(GuestStatus.State.UP)
                        .addInterfaces(GuestInterface.newBuilder().setName("lo").addAddresses("127.0.0.1/8")
                                .addAddresses("::1/128"))
                        .addInterfaces(GuestInterface.newBuilder().setName("eth0").addAddresses("fe80::1/64")
                                .addAddresses("10.0.0.2/24")))
                .build());
        scheduler.service.vsis.put("b", Vsi.newBuilder().setName("b").setState(Vsi.State.STOPPED).build());

        CliRun run = scheduler.run("vsi", "list");

        String[] lines = run.stdout().split("\n");
        assertThat(lines[0]).startsWith("NAME").contains("STATE", "GUEST", "ADDRESS", "DESIRED");
        int guest = lines[0].indexOf("GUEST");
        int address = lines[0].indexOf("ADDRESS");
        assertThat(lines[1].substring(guest)).startsWith("UP ");
        assertThat(lines[1].substring(address)).startsWith("10.0.0.2 ");
        assertThat(lines[2].substring(guest)).startsWith("- ");
        assertThat(lines[2].substring(address)).startsWith("- ");
    }

    @Test
    void listJsonCarriesTheGuest() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setState(Vsi.State.RUNNING)
                .setGuest(GuestStatus.newBuilder().setState(GuestStatus.State.UNRESPONSIVE).setMissedPings(3)).build());

        JsonObject a = JsonParser.parseString(scheduler.run("vsi", "list", "-o", "json").stdout()).getAsJsonArray()
                .get(0).getAsJsonObject();

        assertThat(a.getAsJsonObject("guest").get("state").getAsString()).isEqualTo("UNRESPONSIVE");
        assertThat(a.getAsJsonObject("guest").get("missedPings").getAsInt()).isEqualTo(3);
    }

    @Test
    void showPrintsTheGuestWithItsAgeVersionAndInterfaces() {
        Instant since = Instant.now().minusSeconds(90);
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setHost("h1").setState(Vsi.State.RUNNING)
                .setGuest(GuestStatus.newBuilder().setState(GuestStatus.State.UNRESPONSIVE)
                        .setSince(Timestamp.newBuilder().setSeconds(since.getEpochSecond()))
                        .setMessage("missed 3 pings").setAgentVersion("hvf-ga 1.0")
                        .addInterfaces(GuestInterface.newBuilder().setName("eth0").setMac("52:54:00:12:34:56")
                                .addAddresses("10.0.0.2/24").addAddresses("fe80::1/64")))
                .build());
        scheduler.service.vsis.put("b", Vsi.newBuilder().setName("b").setHost("h2").setState(Vsi.State.RUNNING)
                .setGuest(GuestStatus.newBuilder().setMessage("host DOWN")).build());

        CliRun a = scheduler.run("vsi", "show", "a");
        CliRun b = scheduler.run("vsi", "show", "b");

        assertThat(a.stdout()).containsPattern("guest: +UNRESPONSIVE since \\S+ \\S+ \\(1m3[0-2]s ago\\)")
                .containsPattern("guest message: +missed 3 pings")
                .containsPattern("guest agent: +hvf-ga 1.0")
                .containsPattern("interface eth0: +52:54:00:12:34:56 10.0.0.2/24, fe80::1/64");
        assertThat(b.stdout()).containsPattern("guest: +unknown \\(host DOWN\\)");
    }

    @Test
    void nonNumericVcpusIsAUsageErrorOnOneLine() {
        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "abc", "--memory", "256");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).startsWith("hvctl: ").contains("--vcpus", "abc");
        assertThat(scheduler.service.calls.get()).isZero();
    }

    @Test
    void zeroVcpusIsRejectedBeforeCallingTheScheduler() {
        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "0", "--memory", "256");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("hvctl: --vcpus: must be at least 1, got 0");
        assertThat(scheduler.service.calls.get()).isZero();
    }

    @Test
    void invalidArgumentFromTheServerExitsTwo() {
        CliRun run = scheduler.run("vsi", "create", "big", "--vcpus", "65", "--memory", "256");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("hvctl: invalid argument: spec.vcpus: must be at most 64, got 65");
    }

    @Test
    void alreadyExistsAndFailedPreconditionExitOne() {
        scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256");
        CliRun duplicate = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256");
        scheduler.service.images.put("default", Image.newBuilder().setName("default").build());
        CliRun unknownImage = scheduler.run("vsi", "create", "web-2", "--vcpus", "1", "--memory", "256", "--image", "nope");

        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.stderrLines()).containsExactly("hvctl: already exists: vsi 'web-1' already exists");
        assertThat(unknownImage.exitCode()).isEqualTo(1);
        assertThat(unknownImage.stderrLines()).containsExactly("hvctl: failed precondition: image 'nope' is not registered");
    }

    @Test
    void listJsonIsAnArrayAndFiltersByHost() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setHost("h1").setState(Vsi.State.RUNNING).setVcpus(1)
                .setMemoryMib(512).setImage("default").build());
        scheduler.service.vsis.put("b", Vsi.newBuilder().setName("b").setHost("h2").setState(Vsi.State.STOPPED).build());

        CliRun all = scheduler.run("vsi", "list", "-o", "json");
        CliRun onH1 = scheduler.run("vsi", "list", "--host", "h1", "-o", "json");

        JsonArray vsis = JsonParser.parseString(all.stdout()).getAsJsonArray();
        assertThat(vsis).hasSize(2);
        JsonObject a = vsis.get(0).getAsJsonObject();
        assertThat(a.get("name").getAsString()).isEqualTo("a");
        assertThat(a.get("host").getAsString()).isEqualTo("h1");
        assertThat(a.get("state").getAsString()).isEqualTo("RUNNING");
        assertThat(a.get("vcpus").getAsInt()).isEqualTo(1);
        assertThat(a.get("memoryMib").getAsLong()).isEqualTo(512);
        assertThat(a.get("image").getAsString()).isEqualTo("default");
        assertThat(vsis.get(1).getAsJsonObject().get("memoryMib").getAsLong()).isZero();
        assertThat(JsonParser.parseString(onH1.stdout()).getAsJsonArray()).hasSize(1);
    }

    @Test
    void createNamesTheTenantGivenAndAnUnknownTenantIsARefusal() {
        scheduler.service.tenants.put("acme", io.hvfabric.proto.v1.TenantStatus.getDefaultInstance());

        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "64", "--tenant", "acme");
        CliRun unknown = scheduler.run("vsi", "create", "web-2", "--vcpus", "1", "--memory", "64", "--tenant", "nope");

        assertThat(run.exitCode()).isZero();
        assertThat(((CreateVsiRequest) scheduler.service.requests.get(0)).getSpec().getTenant()).isEqualTo("acme");
        assertThat(run.stdout()).contains("tenant:", "acme");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderrLines()).containsExactly("hvctl: not found: tenant 'nope' not found");
    }

    @Test
    void anOperatorsListHasATenantColumnWithSystemForTheOperatorsOwn() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setTenant("acme").build());
        scheduler.service.vsis.put("b", Vsi.newBuilder().setName("b").build());

        String[] lines = scheduler.run("vsi", "list").stdout().split("\n");

        assertThat(lines[0].split("\\s+")).startsWith("NAME", "TENANT", "HOST");
        assertThat(lines[1].split("\\s+")).startsWith("a", "acme");
        assertThat(lines[2].split("\\s+")).startsWith("b", "system");
    }

    @Test
    void aTenantsListHasNoTenantColumn() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setTenant("acme").build());
        scheduler.service.vsis.put("b", Vsi.newBuilder().setName("b").setTenant("beta").build());
        scheduler.service.callerTenant = "acme";

        String[] lines = scheduler.run("vsi", "list").stdout().split("\n");

        assertThat(lines).hasSize(2);
        assertThat(lines[0]).doesNotContain("TENANT");
        assertThat(lines[1].split("\\s+")).startsWith("a", "-");
    }

    @Test
    void stopStartAndDelete() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setState(Vsi.State.RUNNING).setDesired("RUNNING").build());

        CliRun stop = scheduler.run("vsi", "stop", "a");
        assertThat(scheduler.service.vsis.get("a").getDesired()).isEqualTo("STOPPED");
        CliRun start = scheduler.run("vsi", "start", "a");
        assertThat(scheduler.service.vsis.get("a").getDesired()).isEqualTo("RUNNING");
        CliRun delete = scheduler.run("vsi", "delete", "a");
        CliRun deleteAgain = scheduler.run("vsi", "delete", "a");

        assertThat(stop.exitCode()).isZero();
        assertThat(stop.stdout()).contains("STOPPED");
        assertThat(start.exitCode()).isZero();
        assertThat(delete.exitCode()).isZero();
        assertThat(delete.stdout()).isEqualTo("deleted vsi a\n");
        assertThat(scheduler.service.vsis).doesNotContainKey("a");
        assertThat(deleteAgain.exitCode()).isEqualTo(1);
        assertThat(deleteAgain.stderrLines()).containsExactly("hvctl: not found: vsi 'a' does not exist");
    }

    @Test
    void createSendsEachNicInTheOrderGiven() {
        CliRun run = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--nic", "network=web",
                "--nic", "network=db,ip=10.0.1.5,mbps=100");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        VsiSpec spec = ((CreateVsiRequest) scheduler.service.requests.get(0)).getSpec();
        assertThat(spec.getNicsList()).containsExactly(NicSpec.newBuilder().setNetwork("web").build(),
                NicSpec.newBuilder().setNetwork("db").setIp("10.0.1.5").setMbps(100).build());
    }

    @Test
    void aMalformedNicNamesTheKeyExitsTwoAndCallsNobody() {
        CliRun unknown = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--nic",
                "network=web,foo=1");
        CliRun mbps = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--nic",
                "network=web", "--nic", "network=db,mbps=lots");
        CliRun noNetwork = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "256", "--nic",
                "ip=10.0.0.5");

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderrLines()).containsExactly("hvctl: --nic: unknown key 'foo'; expected network, ip, mbps");
        assertThat(mbps.exitCode()).isEqualTo(2);
        assertThat(mbps.stderrLines()).containsExactly("hvctl: --nic: mbps must be a whole number, got 'lots'");
        assertThat(noNetwork.exitCode()).isEqualTo(2);
        assertThat(noNetwork.stderrLines())
                .containsExactly("hvctl: --nic: network is required (network=NAME[,ip=A][,mbps=N])");
        assertThat(scheduler.service.calls.get()).isZero();
    }

    @Test
    void showListsEachVnicWithWhatTheFabricAssigned() {
        scheduler.service.vsis.put("a", Vsi.newBuilder().setName("a").setHost("h1").setState(Vsi.State.RUNNING)
                .setSpec(VsiSpec.newBuilder().setName("a")
                        .addNics(NicSpec.newBuilder().setNetwork("web").setMac("0a:00:00:65:00:02").setIp("10.0.0.2")
                                .setMbps(100).setVni(101))
                        .addNics(NicSpec.newBuilder().setNetwork("db")))
                .build());
        scheduler.service.vsis.put("b", Vsi.newBuilder().setName("b").setState(Vsi.State.RUNNING).build());

        String a = scheduler.run("vsi", "show", "a").stdout();
        String b = scheduler.run("vsi", "show", "b").stdout();

        String[] parts = a.split("\n\n");
        assertThat(parts).hasSize(2);
        String[] nics = parts[1].split("\n");
        assertThat(nics[0].split("\\s{2,}")).containsExactly("NIC", "NETWORK", "MAC", "IP", "MBIT/S", "VNI");
        assertThat(nics[1].split("\\s{2,}")).containsExactly("0", "web", "0a:00:00:65:00:02", "10.0.0.2", "100", "101");
        assertThat(nics[2].split("\\s{2,}")).containsExactly("1", "db", "-", "-", "-", "-");
        assertThat(b).doesNotContain("NETWORK").doesNotContain("\n\n");
    }

    @Test
    void consoleWritesTheRawBytesAndPassesTail() {
        scheduler.service.consoles.put("a", "booting...\nhello from the guest\n");

        CliRun whole = scheduler.run("vsi", "console", "a");
        CliRun tail = scheduler.run("vsi", "console", "a", "--tail", "21");

        assertThat(whole.exitCode()).isZero();
        assertThat(whole.stdout()).isEqualTo("booting...\nhello from the guest\n");
        assertThat(tail.stdout()).isEqualTo("hello from the guest\n");
        assertThat(((ConsoleRequest) scheduler.service.requests.get(1)).getTailBytes()).isEqualTo(21);
    }

    @Test
    void followedConsoleEndsCleanlyAtAnExplicitTimeout() {
        scheduler.service.consoles.put("a", "line\n");

        CliRun run = scheduler.run("vsi", "console", "a", "--follow", "--timeout", "300ms");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("line\n");
        assertThat(((ConsoleRequest) scheduler.service.requests.get(0)).getFollow()).isTrue();
    }
}
