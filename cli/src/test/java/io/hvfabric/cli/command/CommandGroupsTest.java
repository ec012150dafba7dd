package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandGroupsTest {
    @Test
    void theFirstPositionalArgumentNamesTheGroup() {
        assertThat(CommandGroups.named("vsi", "create", "host")).isEqualTo(VsiCommands.class);
        assertThat(CommandGroups.named("-o", "json", "--insecure", "host", "list")).isEqualTo(HostCommands.class);
        assertThat(CommandGroups.named("--output=json", "-ojson", "drain", "show", "h1"))
                .isEqualTo(MaintenanceCommands.DrainControl.class);
        assertThat(CommandGroups.named("--timeout", "5s", "network", "show", "web")).isEqualTo(NetworkCommands.class);
    }

    @Test
    void anOptionsValueIsNoGroupsName() {
        assertThat(CommandGroups.named("--tls-dir", "vsi", "--timeout", "ca", "tenant", "list"))
                .isEqualTo(TenantCommands.class);
    }

    @Test
    void noGroupNamedMeansEveryGroup() {
        assertThat(CommandGroups.named()).isNull();
        assertThat(CommandGroups.named("--help")).isNull();
        assertThat(CommandGroups.named("vms", "list")).isNull();
    }

    @Test
    void theRootsHelpAndATypoStillSeeEveryGroup() throws Exception {
        try (InProcessScheduler scheduler = new InProcessScheduler()) {
            CliRun help = scheduler.run(Map.of(), "--help");
            CliRun typo = scheduler.run(Map.of(), "tenat", "list");

            assertThat(help.exitCode()).isZero();
            assertThat(help.stdout()).contains("host", "cluster", "vsi", "migration", "drain", "rebalance", "image",
                    "tenant", "network", "audit", "ca ");
            assertThat(typo.exitCode()).isEqualTo(2);
            assertThat(typo.stderrLines())
                    .containsExactly("hvctl: unmatched arguments from index 0: 'tenat', 'list' (see 'hvctl --help')");
        }
    }
}
