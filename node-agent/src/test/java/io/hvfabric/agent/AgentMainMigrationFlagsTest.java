package io.hvfabric.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AgentMainMigrationFlagsTest {
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
    void theTunnelIsOnUnlessTurnedOff() {
        assertThat(parse().migrationTunnel()).isTrue();
        assertThat(parse("--migration-tunnel", "off").migrationTunnel()).isFalse();
        assertThat(parse("--migration-tunnel=on").migrationTunnel()).isTrue();
    }

    @Test
    void anythingButOnOrOffIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> parse("--migration-tunnel", "yes"))
                .hasMessageContaining("--migration-tunnel").hasMessageContaining("must be on or off");
    }
}
