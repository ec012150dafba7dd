package io.hvfabric.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.FabricException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EventRetentionAndLogFlagsTest {
    private static SchedulerMain parsed(String... extra) {
        List<String> args = new ArrayList<>(List.of("--id", "sched-1", "--listen", "127.0.0.1:5000", "--etcd",
                "http://127.0.0.1:2379", "--metrics", "127.0.0.1:5001", "--pekko", "127.0.0.1:5002", "--seeds",
                "127.0.0.1:5002", "--insecure"));
        args.addAll(List.of(extra));
        SchedulerMain main = new SchedulerMain();
        new CommandLine(main).parseArgs(args.toArray(String[]::new));
        return main;
    }

    @Test
    void eventsAreKeptADayByDefaultOrTheSpanGiven() {
        assertThat(parsed().toConfig().eventRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(parsed("--event-retention", "90m").toConfig().eventRetention()).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> parsed("--event-retention", "30s").toConfig()).isInstanceOf(FabricException.class)
                .hasMessage("field '--event-retention': must be 1m..31d (got PT30S)");
        assertThatThrownBy(() -> parsed("--event-retention", "32d").toConfig()).isInstanceOf(FabricException.class);
    }

    @Test
    void logsAreTextByDefault() {
        assertThat(parsed().logFormat).isEqualTo("text");
        assertThat(parsed("--log-format", "json").logFormat).isEqualTo("json");
    }
}
