package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Timestamp;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.ListAuditRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AuditCommandTest {
    private static final Instant AT = Instant.parse("2025-01-31T12:00:05.250Z");
    private static final String REFUSAL = "peer 'host-1' (role agent) may not call OperatorService/CreateVsi";

    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
        scheduler.service.audit.add(record("operator", "operator", "", "CreateVsi", "web-1", "OK", "", AT));
        scheduler.service.audit.add(record("agent", "host-1", "", "CreateVsi", "", "PERMISSION_DENIED", REFUSAL,
                AT.plusSeconds(1)));
        scheduler.service.audit.add(record("tenant", "alice", "acme", "DeleteVsi", "db-1", "NOT_FOUND",
                "vsi 'db-1' does not exist", AT.plusSeconds(2)));
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    private static AuditRecord record(String role, String name, String tenant, String method, String object,
                                      String code, String message, Instant time) {
        return AuditRecord.newBuilder()
                .setTime(Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()))
                .setPrincipal(AuditPrincipal.newBuilder().setRole(role).setName(name).setTenant(tenant))
                .setMethod(method).setObject(object).setCode(code).setMessage(message).setReplica("sched-1").build();
    }

    private ListAuditRequest sent() {
        assertThat(scheduler.service.requests).hasSize(1);
        return (ListAuditRequest) scheduler.service.requests.get(0);
    }

    @Test
    void theTableShowsWhoDidWhatToWhatAndHowItEnded() {
        CliRun run = scheduler.run("audit");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String[] lines = run.stdout().split("\n");
        assertThat(lines[0]).matches("TIME +PRINCIPAL +METHOD +OBJECT +RESULT");
        assertThat(lines[1].split(" {2,}")).containsExactly("2025-01-31 12:00:05.250Z", "operator/operator",
                "CreateVsi", "web-1", "OK");
        // No object: refused before the request was read.
        assertThat(lines[2]).startsWith("2025-01-31 12:00:06.250Z  agent/host-1").contains("CreateVsi")
                .endsWith("PERMISSION_DENIED: " + REFUSAL);
        assertThat(lines[3].split(" {2,}")).containsExactly("2025-01-31 12:00:07.250Z", "tenant/alice@acme",
                "DeleteVsi", "db-1", "NOT_FOUND: vsi 'db-1' does not exist");
        assertThat(lines).hasSize(4);
    }

    @Test
    void jsonHasEveryFieldOfEachRecord() {
        CliRun run = scheduler.run("audit", "-o", "json");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        JsonArray records = JsonParser.parseString(run.stdout()).getAsJsonArray();
        assertThat(records).hasSize(3);
        JsonObject refused = records.get(1).getAsJsonObject();
        assertThat(refused.getAsJsonObject("principal").get("role").getAsString()).isEqualTo("agent");
        assertThat(refused.getAsJsonObject("principal").get("name").getAsString()).isEqualTo("host-1");
        assertThat(refused.get("code").getAsString()).isEqualTo("PERMISSION_DENIED");
        assertThat(refused.get("message").getAsString()).isEqualTo(REFUSAL);
        assertThat(refused.get("object").getAsString()).isEmpty();
        assertThat(refused.get("time").getAsString()).isEqualTo("2025-01-31T12:00:06.250Z");
        assertThat(refused.get("replica").getAsString()).isEqualTo("sched-1");
    }

    @Test
    void byDefaultTheNewestHundredOfTheWholeLogAreAsked() {
        scheduler.run("audit");

        assertThat(sent().hasSince()).isFalse();
        assertThat(sent().getLimit()).isEqualTo(100);
    }

    @Test
    void aDurationSinceIsThatLongBeforeNow() {
        Instant before = Instant.now();
        CliRun run = scheduler.run("audit", "--since", "2h", "--limit", "5");
        Instant after = Instant.now();

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Instant since = Instant.ofEpochSecond(sent().getSince().getSeconds(), sent().getSince().getNanos());
        assertThat(since).isBetween(before.minus(Duration.ofHours(2)), after.minus(Duration.ofHours(2)));
        assertThat(sent().getLimit()).isEqualTo(5);
    }

    @Test
    void daysAndTimestampsAreSinceValuesToo() {
        scheduler.run("audit", "--since", "2025-01-31T12:00:00Z");
        assertThat(sent().getSince()).isEqualTo(Timestamp.newBuilder().setSeconds(AT.getEpochSecond() - 5).build());

        scheduler.service.requests.clear();
        Instant before = Instant.now();
        scheduler.run("audit", "--since", "7d");
        assertThat(sent().getSince().getSeconds()).isBetween(before.minus(Duration.ofDays(7)).getEpochSecond(),
                before.minus(Duration.ofDays(7)).getEpochSecond() + 60);
    }

    @Test
    void aBadSinceOrLimitIsAUsageErrorAndNothingIsAsked() {
        CliRun since = scheduler.run("audit", "--since", "yesterday");
        CliRun limit = scheduler.run("audit", "--limit", "0");

        assertThat(since.exitCode()).isEqualTo(2);
        assertThat(since.stderrLines()).containsExactly("hvctl: --since: 'yesterday' is neither a duration (30m, 2h, "
                + "7d) nor a timestamp (2025-01-31T12:00:00Z)");
        assertThat(limit.exitCode()).isEqualTo(2);
        assertThat(limit.stderrLines()).containsExactly("hvctl: --limit: must be 1..1000, got 0");
        assertThat(scheduler.service.requests).isEmpty();
    }
}
