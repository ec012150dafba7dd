package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.Hosts;
import io.hvfabric.cli.testing.InProcessScheduler;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** --timeout: how it parses, the deadline each call carries, and the one line when it passes. */
@Timeout(30)
class TimeoutOptionTest {
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
    void everyCallCarriesTheDefaultDeadlineOfSixtySeconds() {
        CliRun run = scheduler.run("host", "list");

        assertThat(run.exitCode()).isZero();
        assertThat(HvctlCommand.DEFAULT_RPC_TIMEOUT).isEqualTo(Duration.ofSeconds(60));
        assertThat(scheduler.service.deadlines).singleElement()
                .satisfies(left -> assertThat(left).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60)));
    }

    @Test
    void timeoutBeforeOrAfterTheSubcommandSetsTheDeadline() {
        CliRun before = scheduler.run("--timeout", "45s", "host", "list");
        CliRun after = scheduler.run("vsi", "create", "web-1", "--vcpus", "1", "--memory", "128M", "--timeout", "2m");

        assertThat(before.exitCode()).isZero();
        assertThat(after.exitCode()).isZero();
        assertThat(scheduler.service.deadlines).hasSize(2);
        assertThat(scheduler.service.deadlines.get(0)).isBetween(Duration.ofSeconds(40), Duration.ofSeconds(45));
        assertThat(scheduler.service.deadlines.get(1)).isBetween(Duration.ofSeconds(115), Duration.ofMinutes(2));
    }

    @Test
    void timeoutTakesEveryDurationForm() {
        for (String value : new String[] {"1500ms", "90", "1m30s", "PT90S"}) {
            scheduler.service.deadlines.clear();

            CliRun run = scheduler.run("host", "list", "--timeout", value);

            assertThat(run.exitCode()).as(value).isZero();
            Duration expected = value.equals("1500ms") ? Duration.ofMillis(1500) : Duration.ofSeconds(90);
            assertThat(scheduler.service.deadlines).as(value).singleElement()
                    .satisfies(left -> assertThat(left).isBetween(expected.minusSeconds(1), expected));
        }
    }

    @Test
    void zeroOrNegativeTimeoutIsAUsageError() {
        CliRun zero = scheduler.run("host", "list", "--timeout", "0s");
        CliRun negative = scheduler.run("host", "list", "--timeout", "-5s");

        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.stderrLines()).singleElement().asString().contains("'0s' must be a positive duration");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.stderrLines()).hasSize(1);
        assertThat(scheduler.service.calls.get()).isZero();
    }

    @Test
    void expiryNamesTheDeadlineAndTheEndpointInOneLine() {
        scheduler.service.delayMillis = 2_000;

        CliRun run = scheduler.run("host", "list", "--timeout", "300ms");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly(
                "hvctl: deadline exceeded: scheduler at sched:1 did not answer within 300ms (--timeout)");
    }

    @Test
    void deadlineExceededFromTheSchedulerItselfIsNotTakenForOurs() {
        scheduler.service.failEverything = Status.DEADLINE_EXCEEDED.withDescription("etcd did not answer within 5s");

        CliRun run = scheduler.run("host", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderrLines()).containsExactly("hvctl: deadline exceeded: etcd did not answer within 5s");
    }
}
