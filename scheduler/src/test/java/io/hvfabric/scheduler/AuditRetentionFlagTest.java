package io.hvfabric.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.FabricException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AuditRetentionFlagTest {
    private static SchedulerConfig parse(String... extra) {
        List<String> args = new ArrayList<>(List.of("--id", "sched-1", "--listen", "127.0.0.1:5000", "--etcd",
                "http://127.0.0.1:2379", "--metrics", "127.0.0.1:5001", "--pekko", "127.0.0.1:5002", "--seeds",
                "127.0.0.1:5002", "--insecure"));
        args.addAll(List.of(extra));
        SchedulerMain main = new SchedulerMain();
        new CommandLine(main).parseArgs(args.toArray(String[]::new));
        return main.toConfig();
    }

    @Test
    void aWeekByDefaultOrTheSpanGiven() {
        assertThat(parse().auditRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(parse("--audit-retention", "12h").auditRetention()).isEqualTo(Duration.ofHours(12));
        assertThat(parse("--audit-retention", "30d").auditRetention()).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void spansOutsideOneMinuteToAYearOrNotSpansAtAllAreRefused() {
        assertThatThrownBy(() -> parse("--audit-retention", "30s")).isInstanceOf(FabricException.class)
                .hasMessage("field '--audit-retention': must be 1m..366d (got PT30S)");
        assertThatThrownBy(() -> parse("--audit-retention", "400d")).isInstanceOf(FabricException.class);
        assertThatThrownBy(() -> parse("--audit-retention", "a week"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'a week' is not a span like 90s, 30m, 12h or 7d");
    }
}
