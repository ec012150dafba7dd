package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.FakeOperatorService;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkPort;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NetworkStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NetworkCommandsTest {
    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    private static NetworkStatus web() {
        return NetworkStatus.newBuilder()
                .setNetwork(Network.newBuilder().setName("web").setTenant("acme").setCidr("10.0.0.0/24").setMtu(1450)
                        .setGateway(true).setVni(101).setGatewayIp("10.0.0.1"))
                .addPorts(NetworkPort.newBuilder().setVsi("web-1").setNic(0).setMac("0a:00:00:65:00:02")
                        .setIp("10.0.0.2").setHost("h1").setMbps(100))
                .addPorts(NetworkPort.newBuilder().setVsi("web-2").setNic(1).setMac("0a:00:00:65:00:03")
                        .setIp("10.0.0.3"))
                .setAddressesUsed(2).setAddressesTotal(253).addHosts("h1").addHosts("h2")
                .build();
    }

    private void put(NetworkStatus status) {
        scheduler.service.networks.put(FakeOperatorService.networkKey(status.getNetwork().getTenant(),
                status.getNetwork().getName()), status);
    }

    @Test
    void createSendsTheNetworkFromTheFlagsAndShowsWhatTheFabricAssigned() {
        CliRun run = scheduler.run("network", "create", "web", "--cidr", "10.0.0.0/24", "--tenant", "acme", "--mtu",
                "1400", "--gateway");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(scheduler.service.requests).containsExactly(CreateNetworkRequest.newBuilder()
                .setNetwork(Network.newBuilder().setName("web").setTenant("acme").setCidr("10.0.0.0/24").setMtu(1400)
                        .setGateway(true))
                .build());
        assertThat(run.stdout()).containsPattern("network: +web\n").containsPattern("tenant: +acme\n")
                .containsPattern("cidr: +10.0.0.0/24\n").containsPattern("vni: +100\n").containsPattern("mtu: +1400\n")
                .containsPattern("gateway: +10.0.0.1 \\(offered to guests as their default router\\)\n")
                .containsPattern("addresses: +0/253 used\n").containsPattern("hosts: +none\n")
                .endsWith("\nno ports\n");
    }

    @Test
    void leftOutMtuTenantAndGatewayAreTheFabricDefaults() {
        CliRun run = scheduler.run("network", "create", "lan", "--cidr", "192.168.5.0/24");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Network sent = ((CreateNetworkRequest) scheduler.service.requests.get(0)).getNetwork();
        assertThat(sent).isEqualTo(Network.newBuilder().setName("lan").setCidr("192.168.5.0/24").build());
        assertThat(run.stdout()).containsPattern("tenant: +system\n").containsPattern("mtu: +1450\n")
                .containsPattern("gateway: +none offered \\(192.168.5.1 serves DHCP only\\)\n");
    }

    @Test
    void aMalformedCidrOrMtuIsAUsageErrorAndNothingIsSent() {
        CliRun cidr = scheduler.run("network", "create", "web", "--cidr", "10.0.0.0");
        CliRun octet = scheduler.run("network", "create", "web", "--cidr", "10.0.0.256/24");
        CliRun mtu = scheduler.run("network", "create", "web", "--cidr", "10.0.0.0/24", "--mtu", "0");
        CliRun missing = scheduler.run("network", "create", "web");

        assertThat(cidr.exitCode()).isEqualTo(2);
        assertThat(cidr.stderrLines())
                .containsExactly("hvctl: --cidr: must be an IPv4 network like 10.0.0.0/24, got '10.0.0.0'");
        assertThat(octet.stderrLines())
                .containsExactly("hvctl: --cidr: must be an IPv4 network like 10.0.0.0/24, got '10.0.0.256/24'");
        assertThat(mtu.exitCode()).isEqualTo(2);
        assertThat(mtu.stderrLines()).containsExactly("hvctl: --mtu: must be at least 1 (leave it out for 1450), got 0");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderrLines()).singleElement().asString().startsWith("hvctl: missing required option: '--cidr=CIDR'");
        assertThat(scheduler.service.calls).hasValue(0);
    }

    @Test
    void theSchedulersRefusalOfAPrefixIsAUsageErrorInOneLine() {
        CliRun run = scheduler.run("network", "create", "web", "--cidr", "10.0.0.0/30");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("hvctl: invalid argument: network.cidr: must be a /16 to /29 "
                + "network with zero host bits (got '10.0.0.0/30')");
    }

    @Test
    void anExistingNetworkIsARefusal() {
        scheduler.run("network", "create", "web", "--cidr", "10.0.0.0/24");

        CliRun again = scheduler.run("network", "create", "web", "--cidr", "10.0.0.0/24");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderrLines()).containsExactly("hvctl: already exists: network 'system/web' already exists");
    }

    @Test
    void listShowsEachNetworksSegmentAddressUseAndHosts() {
        put(web());
        put(NetworkStatus.newBuilder().setNetwork(Network.newBuilder().setName("ops").setCidr("10.9.0.0/29")
                .setMtu(1450).setVni(100).setGatewayIp("10.9.0.1")).setAddressesTotal(5).build());

        CliRun table = scheduler.run("network", "list");
        CliRun json = scheduler.run("network", "list", "-o", "json");

        assertThat(table.exitCode()).as(table.stderr()).isZero();
        String[] lines = table.stdout().split("\n");
        assertThat(lines[0].split("\\s{2,}")).containsExactly("NAME", "TENANT", "CIDR", "VNI", "MTU", "GATEWAY",
                "ADDRESSES", "PORTS", "HOSTS");
        assertThat(lines[1].split("\\s{2,}"))
                .containsExactly("web", "acme", "10.0.0.0/24", "101", "1450", "10.0.0.1", "2/253", "2", "h1,h2");
        assertThat(lines[2].split("\\s{2,}"))
                .containsExactly("ops", "system", "10.9.0.0/29", "100", "1450", "-", "0/5", "0", "-");
        JsonArray networks = JsonParser.parseString(json.stdout()).getAsJsonArray();
        assertThat(networks).hasSize(2);
        assertThat(networks.get(0).getAsJsonObject().getAsJsonObject("network").get("vni").getAsInt()).isEqualTo(101);
    }

    @Test
    void listPassesTheTenantOn() {
        put(web());

        CliRun run = scheduler.run("network", "list", "--tenant", "beta");

        assertThat(run.exitCode()).isZero();
        assertThat(scheduler.service.requests).containsExactly(ListNetworksRequest.newBuilder().setTenant("beta").build());
        assertThat(run.stdout().split("\n")).hasSize(1);
    }

    @Test
    void showPrintsTheNetworkThenATableOfItsPorts() {
        put(web());

        CliRun run = scheduler.run("network", "show", "web", "--tenant", "acme");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(scheduler.service.requests)
                .containsExactly(NetworkRef.newBuilder().setName("web").setTenant("acme").build());
        String[] parts = run.stdout().split("\n\n");
        assertThat(parts).hasSize(2);
        assertThat(parts[0]).containsPattern("network: +web").containsPattern("tenant: +acme")
                .containsPattern("cidr: +10.0.0.0/24").containsPattern("vni: +101").containsPattern("mtu: +1450")
                .containsPattern("gateway: +10.0.0.1 ").containsPattern("addresses: +2/253 used")
                .containsPattern("hosts: +h1, h2");
        String[] ports = parts[1].split("\n");
        assertThat(ports[0].split("\\s{2,}")).containsExactly("VSI", "NIC", "MAC", "IP", "HOST", "MBPS");
        assertThat(ports[1].split("\\s{2,}"))
                .containsExactly("web-1", "0", "0a:00:00:65:00:02", "10.0.0.2", "h1", "100");
        assertThat(ports[2].split("\\s{2,}")).containsExactly("web-2", "1", "0a:00:00:65:00:03", "10.0.0.3", "-", "-");
    }

    @Test
    void showJsonIsTheNetworkStatus() {
        put(web());

        JsonObject status = JsonParser.parseString(scheduler.run("-o", "json", "network", "show", "web", "--tenant",
                "acme").stdout()).getAsJsonObject();

        assertThat(status.getAsJsonObject("network").get("gatewayIp").getAsString()).isEqualTo("10.0.0.1");
        assertThat(status.get("addressesUsed").getAsInt()).isEqualTo(2);
        assertThat(status.getAsJsonArray("ports").get(0).getAsJsonObject().get("mbps").getAsLong()).isEqualTo(100);
    }

    @Test
    void aMissingNetworkIsNotFound() {
        CliRun run = scheduler.run("network", "show", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly("hvctl: not found: network 'system/nope' not found");
    }

    @Test
    void deleteIsRefusedWhileAVnicIsOnTheNetwork() {
        put(web());

        CliRun refused = scheduler.run("network", "delete", "web", "--tenant", "acme");
        put(web().toBuilder().clearPorts().build());
        CliRun deleted = scheduler.run("network", "delete", "web", "--tenant", "acme");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderrLines()).containsExactly(
                "hvctl: failed precondition: network 'acme/web' has 2 vNIC(s) (web-1); delete them first");
        assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
        assertThat(deleted.stdout()).isEqualTo("deleted network web of tenant acme\n");
        assertThat(scheduler.service.networks).isEmpty();
    }

    @Test
    void aTenantCertificateNamingAnotherTenantIsRefusedInOneLine() {
        scheduler.service.failEverything = Status.PERMISSION_DENIED.withDescription(
                "peer 'alice' (role tenant, tenant 'acme') may not use networks of tenant 'beta'");

        CliRun run = scheduler.run("network", "list", "--tenant", "beta");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly("hvctl: permission denied: peer 'alice' (role tenant, tenant"
                + " 'acme') may not use networks of tenant 'beta'");
    }
}
