package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.Migration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MigrationCommandsTest {
    private static final Migration DONE = Migration.newBuilder().setId("m-1").setName("web-1").setFrom("h1").setTo("h2")
            .setPhase(Migration.Phase.COMPLETED).setTotalMs(1800).setDowntimeMs(60).build();

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
    void showPrintsWhenTheGuestAgentAnsweredAfterTheResume() {
        scheduler.service.migrations.put("m-1", DONE.toBuilder().setGuestAnswerMs(412).build());

        CliRun run = scheduler.run("migration", "show", "m-1");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).containsPattern("guest answer: +412 ms after resume");
    }

    @Test
    void showLeavesOutAnUnknownGuestAnswer() {
        scheduler.service.migrations.put("m-1", DONE);

        assertThat(scheduler.run("migration", "show", "m-1").stdout()).contains("downtime").doesNotContain("guest answer");
    }
}
