package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Timestamp;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.EventObject;
import io.hvfabric.proto.v1.ListEventsRequest;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EventsCommandTest {
    private static final Instant AT = Instant.parse("2026-12-02T12:00:05.250Z");

    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
        scheduler.service.events.add(event(Event.Kind.MIGRATION_PHASE, "migration", "m-1", "host-1",
                "migration m-1 of web-1 host-1 -> host-2: PRECOPY -> SWITCHOVER", AT, false));
        scheduler.service.events.add(event(Event.Kind.HOST_DOWN, "host", "host-3", "host-3",
                "host host-3 is DOWN: its liveness lease expired", AT.plusSeconds(1), true));
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    private static Event event(Event.Kind kind, String objectKind, String name, String host, String message,
                               Instant at, boolean replayed) {
        return Event.newBuilder().setKind(kind)
                .setTime(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
                .setObject(EventObject.newBuilder().setKind(objectKind).setName(name)).setHost(host)
                .setMessage(message).setReplayed(replayed).setReplica("sched-1").build();
    }

    private ListEventsRequest sent() {
        assertThat(scheduler.service.requests).hasSize(1);
        return (ListEventsRequest) scheduler.service.requests.get(0);
    }

    @Test
    void theTableShowsTimeKindObjectHostAndMessage() {
        CliRun run = scheduler.run("events");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<String> lines = run.stdout().lines().toList();
        assertThat(lines.get(0)).startsWith("TIME").contains("KIND", "OBJECT", "HOST", "MESSAGE");
        assertThat(lines.get(1)).contains("2026-12-02 12:00:05.250Z", "MIGRATION_PHASE", "migration/m-1", "host-1",
                "PRECOPY -> SWITCHOVER");
        assertThat(lines.get(2)).contains("HOST_DOWN", "host/host-3", "(replayed) host host-3 is DOWN");
        assertThat(sent().getLimit()).isEqualTo(100);
        assertThat(sent().getKindsList()).isEmpty();
    }

    @Test
    void kindsSinceObjectAndLimitGoToTheScheduler() {
        Instant before = Instant.now();
        CliRun run = scheduler.run("events", "--kind", "migration_phase", "--kind", "HOST-DOWN", "--since", "30m",
                "--object", "vsi/web-1", "--limit", "7");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        ListEventsRequest request = sent();
        assertThat(request.getKindsList()).containsExactly(Event.Kind.MIGRATION_PHASE, Event.Kind.HOST_DOWN);
        assertThat(request.getObject()).isEqualTo("vsi/web-1");
        assertThat(request.getLimit()).isEqualTo(7);
        assertThat(Instant.ofEpochSecond(request.getSince().getSeconds()))
                .isBetween(before.minusSeconds(1801), Instant.now().minusSeconds(1799));
    }

    @Test
    void jsonIsAnArrayOfEvents() {
        CliRun run = scheduler.run("events", "-o", "json");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        var array = JsonParser.parseString(run.stdout()).getAsJsonArray();
        assertThat(array).hasSize(2);
        assertThat(array.get(0).getAsJsonObject().get("kind").getAsString()).isEqualTo("MIGRATION_PHASE");
        assertThat(array.get(1).getAsJsonObject().get("replayed").getAsBoolean()).isTrue();
    }

    @Test
    void followPrintsEachEventAsItArrivesUntilTheTimeout() {
        CliRun run = scheduler.run("events", "--follow", "--timeout", "1s", "-o", "json");

        assertThat(run.exitCode()).as("reaching --timeout ends a followed stream normally: " + run.stderr()).isZero();
        List<String> lines = run.stdout().lines().toList();
        assertThat(lines).as("JSON Lines: one object per line").hasSize(2);
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(first.get("object").getAsJsonObject().get("name").getAsString()).isEqualTo("m-1");

        CliRun table = scheduler.run("events", "-f", "--timeout", "1s");
        assertThat(table.exitCode()).as(table.stderr()).isZero();
        assertThat(table.stdout().lines().toList()).hasSize(3).first().asString().startsWith("TIME");
    }

    @Test
    void badArgumentsAreOneLineAndExitTwoBeforeAnyCall() {
        for (String[] args : List.of(new String[] {"events", "--kind", "HOST_EXPLODED"},
                new String[] {"events", "--since", "yesterday"}, new String[] {"events", "--limit", "0"},
                new String[] {"events", "--limit", "1001"}, new String[] {"events", "--object", "a b"},
                new String[] {"events", "--kind", "KIND_UNSPECIFIED"})) {
            CliRun run = scheduler.run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.stderrLines()).as(String.join(" ", args)).singleElement().asString().startsWith("hvctl: ");
        }
        assertThat(scheduler.run("events", "--kind", "nope").stderr()).contains("--kind: 'nope' is no event kind",
                "MIGRATION_PHASE", "CALL_REFUSED");
        assertThat(scheduler.service.requests).as("nothing sent").isEmpty();
    }

    @Test
    void completionScriptsCoverEveryGroupForBashAndZsh() {
        CliRun bash = scheduler.run("completion", "bash");
        assertThat(bash.exitCode()).as(bash.stderr()).isZero();
        assertThat(bash.stdout()).contains("complete -F", "hvctl", "events", "migration", "vsi", "--follow",
                "--kind");
        CliRun zsh = scheduler.run("completion", "zsh");
        assertThat(zsh.exitCode()).isZero();
        assertThat(zsh.stdout()).startsWith("#compdef hvctl").contains("bashcompinit", "complete -F");

        CliRun fish = scheduler.run("completion", "fish");
        assertThat(fish.exitCode()).isEqualTo(2);
        assertThat(fish.stderrLines()).singleElement().asString()
                .isEqualTo("hvctl: SHELL: must be bash or zsh, got 'fish'");
        assertThat(scheduler.service.requests).isEmpty();
    }
}
