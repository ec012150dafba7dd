package io.hvfabric.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.network.OverlayMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The agent's flags as picocli parses them into its config, and their refusals naming the flag. */
class AgentMainFlagsTest {
    private static AgentConfig parse(String... extra) {
        List<String> args = new ArrayList<>(List.of("--host-id", "h1", "--listen", "10.88.1.11:7001", "--schedulers",
                "10.88.1.2:7000", "--metrics", "10.88.1.11:9101", "--pekko", "10.88.1.11:2552", "--seeds",
                "10.88.1.2:2552", "--insecure", "--state-dir", "/tmp/hvf-h1"));
        args.addAll(List.of(extra));
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(args.toArray(String[]::new));
        return main.toConfig();
    }

    @Test
    void theDataPlaneIsAutoOnTheDefaultRoutesDeviceWithAPerHostNamespacePrefix() {
        AgentConfig config = parse();
        assertThat(config.overlayMode()).isEqualTo(OverlayMode.AUTO);
        assertThat(config.underlayDev()).isEmpty();
        assertThat(config.networkNamespacePrefix()).isEqualTo("hvfn-h1-");
    }

    @Test
    void theFlagsAreTakenAndChecked() {
        AgentConfig config = parse("--overlay", "off", "--underlay-dev", "eth1", "--network-namespace-prefix",
                "hvf-lab-h1-n");
        assertThat(config.overlayMode()).isEqualTo(OverlayMode.OFF);
        assertThat(config.underlayDev()).hasValue("eth1");
        assertThat(config.networkNamespacePrefix()).isEqualTo("hvf-lab-h1-n");
        assertThatThrownBy(() -> parse("--overlay", "maybe")).hasMessageContaining("--overlay");
        assertThatThrownBy(() -> parse("--underlay-dev", "eth0 up")).hasMessageContaining("--underlay-dev");
        assertThatThrownBy(() -> parse("--network-namespace-prefix", "a/b")).hasMessageContaining(
                "--network-namespace-prefix");
    }

    @Test
    void theMigrationTunnelIsOnUnlessTurnedOff() {
        assertThat(parse().migrationTunnel()).isTrue();
        assertThat(parse("--migration-tunnel", "off").migrationTunnel()).isFalse();
        assertThat(parse("--migration-tunnel=on").migrationTunnel()).isTrue();
        assertThatThrownBy(() -> parse("--migration-tunnel", "yes"))
                .hasMessageContaining("--migration-tunnel").hasMessageContaining("must be on or off");
    }
}
