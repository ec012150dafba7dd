package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.LabKeys;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Guest liveness through the QEMU guest agent, on a 2-host lab whose agents are forced to TCG ({@code --accel tcg}):
 * a guest goes UP, answers exec, turns UNRESPONSIVE when its QEMU is frozen and UP again when it thaws, and is UP on
 * the target after a live migration.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestIT {
    private static final String VSI = "guest-1";
    private static TestLab lab;
    private static Hvctl hvctl;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(2, List.of("--accel", "tcg"));
        hvctl = lab.hvctl();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void theForcedAcceleratorIsWhatHostsReportAndSay() {
        for (JsonNode host : hvctl.json("host", "list")) {
            assertThat(host.path("accelerator").asText()).isEqualTo("tcg");
            JsonNode caps = host.path("capabilities");
            assertThat(caps.path("accelMode").asText()).isEqualTo("tcg");
            assertThat(caps.path("acceleratorReason").asText()).startsWith("forced by --accel tcg");
        }
        assertThat(hvctl.ok("host", "show", "host-1").out()).contains("forced by --accel tcg");
    }

    @Test
    @Order(2)
    void createWaitsUntilTheGuestAgentAnswersAndTheGuestReportsItsInterfaces() {
        Hvctl.Result created = hvctl.ok("vsi", "create", VSI, "--vcpus", "1", "--memory", "192", "--host", "host-1",
                "--wait");
        assertThat(created.out() + created.err()).contains("UP");
        JsonNode vsi = hvctl.json("vsi", "show", VSI);
        assertThat(vsi.path("state").asText()).isEqualTo("RUNNING");
        assertThat(vsi.path("guest").path("state").asText()).isEqualTo("UP");
        // guest-info and the interfaces are asked right after the first answer and arrive with a later heartbeat.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode guest = hvctl.json("vsi", "show", VSI).path("guest");
            assertThat(guest.path("agentVersion").asText()).startsWith("hvf-qga");
            assertThat(StreamSupport.stream(guest.path("interfaces").spliterator(), false)
                    .map(i -> i.path("name").asText())).contains("lo");
        });
        JsonNode listed = hvctl.json("vsi", "list").get(0);
        assertThat(listed.path("guest").path("state").asText()).isEqualTo("UP");
        assertThat(hvctl.ok("vsi", "list").out()).contains("UP");
    }

    @Test
    @Order(3)
    void execReturnsTheCommandsExitCodeAndOutputAndReportsATimeout() {
        Hvctl.Result r = hvctl.run("vsi", "exec", VSI, "--", "/bin/sh", "-c",
                "echo hello > /tmp/f && md5sum /tmp/f && echo oops >&2 && exit 7");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(7);
        assertThat(r.out()).contains("b1946ac92492d2347c6235b4d2611184  /tmp/f"); // md5("hello\n")
        assertThat(r.err()).contains("oops");

        Hvctl.Result slow = hvctl.run("vsi", "exec", VSI, "--timeout", "2", "--", "/bin/sleep", "30");
        assertThat(slow.exitCode()).as(slow.err()).isEqualTo(124);
        assertThat(slow.errLines()).hasSize(1);
        assertThat(slow.err()).contains("timed out");

        Hvctl.Result missing = hvctl.run("vsi", "exec", "no-such-vsi", "--", "/bin/true");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("not found");
    }

    @Test
    @Order(4)
    void anAgentCertificateCannotExecInAGuest() {
        ManagedChannel channel = GrpcTls.channel(lab.lab().schedulerEndpoints().get(0),
                Optional.of(LabKeys.of(lab.lab(), "host-2")));
        try {
            assertThatThrownBy(() -> OperatorServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .execVsi(ExecVsiRequest.newBuilder().setName(VSI).addCommand("/bin/true").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    @Order(5)
    void aFrozenGuestTurnsUnresponsiveAndComesBackUpWhenItThaws() {
        long pid = hvctl.json("vsi", "show", VSI).path("pid").asLong();
        assertThat(pid).isPositive();
        Shell.run("kill", "-STOP", Long.toString(pid));
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> guestState().equals("UNRESPONSIVE"));
            assertThat(hvctl.json("vsi", "show", VSI).path("guest").path("message").asText()).contains("missed");
        } finally {
            Shell.run("kill", "-CONT", Long.toString(pid));
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> guestState().equals("UP"));
        assertThat(hvctl.json("vsi", "show", VSI).path("pid").asLong()).as("same QEMU, not restarted").isEqualTo(pid);
    }

    @Test
    @Order(6)
    void aMigratedGuestIsUpOnTheTargetAndTheRecordNotesItsFirstAnswer() {
        JsonNode migration = hvctl.json("vsi", "migrate", VSI, "--to", "host-2", "--wait");
        assertThat(migration.path("phase").asText()).isEqualTo("COMPLETED");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode vsi = hvctl.json("vsi", "show", VSI);
            assertThat(vsi.path("host").asText()).isEqualTo("host-2");
            assertThat(vsi.path("guest").path("state").asText()).isEqualTo("UP");
        });
        String id = migration.path("id").asText();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(hvctl.json("migration", "show", id).path("guestAnswerMs").asLong()).isPositive());
        Hvctl.Result r = hvctl.run("vsi", "exec", VSI, "--", "/bin/cat", "/tmp/f");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello\n");
    }

    private static String guestState() {
        return hvctl.json("vsi", "show", VSI).path("guest").path("state").asText();
    }
}
