package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.Hosts;
import io.hvfabric.cli.testing.InProcessScheduler;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Global options, environment, failover across endpoints, and the error contract. */
@Timeout(30)
class ConnectionOptionsTest {
    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
        scheduler.service.hosts.put("h1", Hosts.ready("h1", 4, 4096));
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    @Test
    void missingSchedulerIsAUsageError() {
        CliRun run = scheduler.run(Map.of(), "host", "list", "--insecure");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("hvctl: no scheduler given: pass --scheduler HOST:PORT or set HVCTL_SCHEDULER");
    }

    @Test
    void malformedSchedulerIsAUsageError() {
        CliRun noPort = scheduler.run(Map.of(), "host", "list", "--insecure", "--scheduler", "sched");
        CliRun badPort = scheduler.run(Map.of(), "host", "list", "--insecure", "--scheduler", "sched:99999");

        assertThat(noPort.exitCode()).isEqualTo(2);
        assertThat(noPort.stderrLines()).containsExactly("hvctl: --scheduler: 'sched' is not HOST:PORT");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.stderrLines()).containsExactly("hvctl: --scheduler: port in 'sched:99999' must be between 1 and 65535");
    }

    @Test
    void noTlsMaterialWithoutInsecureIsAUsageError() {
        CliRun run = scheduler.run(Map.of(), "host", "list", "--scheduler", InProcessScheduler.ENDPOINT);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).startsWith("hvctl: no TLS material").contains("--tls-dir", "--insecure");
        assertThat(scheduler.service.calls.get()).isZero();
    }

    @Test
    void schedulerComesFromTheEnvironment() {
        CliRun run = scheduler.run(Map.of("HVCTL_SCHEDULER", InProcessScheduler.ENDPOINT), "host", "list", "--insecure");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("h1");
    }

    @Test
    void globalOptionsMayPrecedeTheSubcommand() {
        CliRun run = scheduler.run(Map.of(), "--scheduler", InProcessScheduler.ENDPOINT, "--insecure", "-o", "json", "host", "list");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).startsWith("[");
    }

    @Test
    void unavailableEndpointsAreSkippedInOrder() {
        CliRun run = scheduler.run(Map.of(), "host", "list", "--insecure",
                "--scheduler", "down-1:7000,down-2:7000," + InProcessScheduler.ENDPOINT);

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("h1");
    }

    @Test
    void allEndpointsUnavailableNamesEachOne() {
        CliRun run = scheduler.run(Map.of(), "host", "list", "--insecure", "--scheduler", "down-1:7000,down-2:7000");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).startsWith("hvctl: cannot reach scheduler at down-1:7000: ").contains("; at down-2:7000: ");
    }

    @Test
    void unavailableFromTheServerIsReportedAsUnreachable() {
        scheduler.service.failEverything = Status.UNAVAILABLE.withDescription("no leader elected yet");

        CliRun run = scheduler.run("host", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly("hvctl: cannot reach scheduler at sched:1: no leader elected yet");
    }

    @Test
    void otherServerErrorsExitOneWithTheCodeInWords() {
        scheduler.service.failEverything = Status.RESOURCE_EXHAUSTED.withDescription("no host has 64 free vCPUs");

        CliRun run = scheduler.run("host", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly("hvctl: resource exhausted: no host has 64 free vCPUs");
    }

    @Test
    void timeoutBoundsEachCall() {
        scheduler.service.delayMillis = 2_000;

        CliRun run = scheduler.run("host", "list", "--timeout", "200ms");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderr()).startsWith("hvctl: deadline exceeded");
        assertThat(run.stderr()).doesNotContain("deadline exceeded: deadline exceeded");
    }

    @Test
    void insecureWithTlsFlagsIsContradictory() {
        CliRun run = scheduler.run("host", "list", "--tls-dir", "/tmp");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly(
                "hvctl: --insecure cannot be combined with --tls-ca, --tls-cert, --tls-key or --tls-dir");
    }

    @Test
    void noSubcommandIsAUsageErrorOnOneLine() {
        CliRun root = scheduler.run(Map.of());
        CliRun group = scheduler.run(Map.of(), "vsi");

        assertThat(root.exitCode()).isEqualTo(2);
        assertThat(root.stderrLines()).hasSize(1);
        assertThat(group.exitCode()).isEqualTo(2);
        assertThat(group.stderrLines()).containsExactly("hvctl: missing required subcommand (see 'hvctl vsi --help')");
    }

    @Test
    void unknownOptionAndBadOutputFormatAreUsageErrors() {
        CliRun unknown = scheduler.run("host", "list", "--bogus");
        CliRun format = scheduler.run("host", "list", "-o", "yaml");
        CliRun timeout = scheduler.run("host", "list", "--timeout", "soon");

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderrLines()).hasSize(1);
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.stderrLines()).hasSize(1);
        assertThat(format.stderr()).contains("yaml");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.stderr()).contains("'soon' is not a duration");
    }

    @Test
    void helpGoesToStdoutAndSucceeds() {
        CliRun run = scheduler.run(Map.of(), "vsi", "create", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("--vcpus", "--memory", "--wait", "--scheduler", "--tls-dir");
    }
}
