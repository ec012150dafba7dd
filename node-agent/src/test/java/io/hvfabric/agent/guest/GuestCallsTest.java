package io.hvfabric.agent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.qga.ScriptedQgaPeer;
import io.hvfabric.agent.qga.ScriptedQgaPeer.Request;
import io.hvfabric.agent.qga.ScriptedQgaPeer.Session;
import io.hvfabric.agent.testkit.ManualClock;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GuestStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GuestExec and AwaitGuest against the fake driver and a scripted guest agent. */
@Timeout(30)
class GuestCallsTest {
    private static final GuestPolicy POLICY = new GuestPolicy(Duration.ofSeconds(1), Duration.ofMillis(200), 3,
            Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofSeconds(10));

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private ScriptedQgaPeer peer;
    private FakeDriver driver;
    private GuestMonitors monitors;
    private GuestCalls calls;

    @BeforeEach
    void setUp() throws Exception {
        peer = new ScriptedQgaPeer(dir);
        driver = new FakeDriver(dir.resolve("vms"));
        monitors = new GuestMonitors(name -> Optional.of(peer.socket()), POLICY, clock, (vsi, state) -> { });
        calls = new GuestCalls(monitors, driver, "h1");
    }

    @AfterEach
    void tearDown() throws Exception {
        monitors.close();
        peer.close();
    }

    private void run(String name, boolean agent) {
        driver.start(VmLaunchSpec.builder().name(name).kernel(Path.of("/k")).initrd(Path.of("/i")).build());
        monitors.started(name, agent);
    }

    /** The guest agent's side of the first scheduled round: sync, ping, facts. */
    private static void comeUp(Session s) throws Exception {
        s.sync();
        s.answer("guest-ping", "{}");
        s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
        s.answer("guest-network-get-interfaces", "[]");
    }

    private GuestMonitor upMonitor(String name) {
        GuestMonitor m = monitors.get(name).orElseThrow();
        m.tick();
        assertThat(m.state()).isEqualTo(GuestState.UP);
        return m;
    }

    private static ExecVsiRequest.Builder exec(String... argv) {
        return ExecVsiRequest.newBuilder().setName("vm1").addAllCommand(List.of(argv));
    }

    private static void assertFabric(ThrowingCallable call, ErrorCode code, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachRuleOfTheRequestNamesItsField() {
        run("vm1", true);
        assertFabric(() -> calls.exec(exec().build(), () -> false), ErrorCode.INVALID_ARGUMENT,
                "field 'command': must name the program to run (command[0])");
        assertFabric(() -> calls.exec(exec("").build(), () -> false), ErrorCode.INVALID_ARGUMENT,
                "field 'command': command[0] must name the program to run");
        assertFabric(() -> calls.exec(exec(Collections.nCopies(257, "x").toArray(String[]::new)).build(), () -> false),
                ErrorCode.INVALID_ARGUMENT, "field 'command': must have at most 256 arguments (got 257)");
        assertFabric(() -> calls.exec(exec("/bin/echo", "é".repeat(2049)).build(), () -> false),
                ErrorCode.INVALID_ARGUMENT, "field 'command': command[1] must be at most 4096 bytes (got 4098)");
        assertFabric(() -> calls.exec(exec("/bin/echo", "a\0b").build(), () -> false), ErrorCode.INVALID_ARGUMENT,
                "field 'command': command[1] must not contain a NUL byte");
        assertFabric(() -> calls.exec(exec("/bin/cat").setStdin(ByteString.copyFrom(new byte[65537])).build(),
                () -> false), ErrorCode.INVALID_ARGUMENT, "field 'stdin': must be at most 65536 bytes (got 65537)");
        assertFabric(() -> calls.exec(exec("/bin/true").setTimeoutMs(300_001).build(), () -> false),
                ErrorCode.INVALID_ARGUMENT, "field 'timeout_ms': must be within 0..300000, 0 for 10000 (got 300001)");
        assertFabric(() -> calls.exec(exec("/bin/true").setTimeoutMs(-1).build(), () -> false),
                ErrorCode.INVALID_ARGUMENT, "field 'timeout_ms': must be within 0..300000, 0 for 10000 (got -1)");
        assertFabric(() -> calls.exec(exec("/bin/true").setName("Bad_Name").build(), () -> false),
                ErrorCode.INVALID_ARGUMENT, "field 'name': must be a DNS label: 1-63 lowercase letters, digits or hyphens, "
                        + "starting and ending with a letter or digit (got 'Bad_Name', 8 characters)");
        assertFabric(() -> calls.await(AwaitGuestRequest.newBuilder().setName("vm1").setTimeoutMs(400_000).build()),
                ErrorCode.INVALID_ARGUMENT, "field 'timeout_ms': must be within 0..300000, 0 for 10000 (got 400000)");
    }

    @Test
    void aVsiNotOnThisHostIsNotFoundAndABootingGuestIsNotUp() {
        assertFabric(() -> calls.exec(exec("/bin/true").setName("elsewhere").build(), () -> false), ErrorCode.NOT_FOUND,
                "vsi 'elsewhere' does not run on host h1");
        assertFabric(() -> calls.await(AwaitGuestRequest.newBuilder().setName("elsewhere").build()), ErrorCode.NOT_FOUND,
                "vsi 'elsewhere' does not run on host h1");
        run("vm1", true);
        assertFabric(() -> calls.exec(exec("/bin/true").build(), () -> false), ErrorCode.FAILED_PRECONDITION,
                "guest agent of VSI vm1 is not UP (state BOOTING)");
        run("vm2", false);
        assertFabric(() -> calls.exec(exec("/bin/true").setName("vm2").build(), () -> false),
                ErrorCode.FAILED_PRECONDITION, "guest agent of VSI vm2 is not UP (state NO_AGENT)");
    }

    @Test
    void execRunsTheCommandAndReportsExitCodeAndOutput() throws Exception {
        peer.play(s -> {
            comeUp(s);
            Request start = s.expect("guest-exec");
            assertThat(start.arguments().path("path").asText()).isEqualTo("/bin/sh");
            assertThat(start.arguments().path("input-data").asText()).isEqualTo(b64("in"));
            assertThat(start.arguments().path("capture-output").asBoolean()).isTrue();
            s.reply(start, "{\"pid\": 7}");
            s.answer("guest-exec-status", "{\"exited\": false}");
            s.answer("guest-exec-status", "{\"exited\": true, \"exitcode\": 2, \"out-data\": \"" + b64("hello\n")
                    + "\", \"err-data\": \"" + b64("oops") + "\", \"out-truncated\": false, \"err-truncated\": false}");
            s.awaitClientClose();
        });
        run("vm1", true);
        upMonitor("vm1");

        ExecVsiResponse r = calls.exec(exec("/bin/sh", "-c", "cat >/dev/null; echo hello; echo -n oops >&2; exit 2")
                .setStdin(ByteString.copyFromUtf8("in")).build(), () -> false);

        assertThat(r.getExited()).isTrue();
        assertThat(r.getExitCode()).isEqualTo(2);
        assertThat(r.getSignal()).isZero();
        assertThat(r.getStdout().toStringUtf8()).isEqualTo("hello\n");
        assertThat(r.getStderr().toStringUtf8()).isEqualTo("oops");
        assertThat(r.getTimedOut()).isFalse();
        assertThat(r.getHost()).isEqualTo("h1");
        monitors.close();
        peer.awaitScript();
    }

    @Test
    void aCommandStillRunningAtItsTimeoutIsReportedTimedOutAndKilled() throws Exception {
        peer.play(s -> {
            comeUp(s);
            s.reply(s.expect("guest-exec"), "{\"pid\": 7}");
            boolean killed = false;
            boolean killerCollected = false;
            while (true) {
                Request r = s.next();
                if (r.command().equals("guest-exec")) {
                    assertThat(r.arguments().path("path").asText()).isEqualTo("/bin/kill");
                    assertThat(r.arguments().path("arg").toString()).isEqualTo("[\"-9\",\"7\"]");
                    killed = true;
                    s.reply(r, "{\"pid\": 8}");
                } else if (r.arguments().path("pid").asLong() == 8) {
                    killerCollected = true;
                    s.reply(r, "{\"exited\": true, \"exitcode\": 0}");
                } else if (!killed) {
                    s.reply(r, "{\"exited\": false}");
                } else {
                    s.reply(r, "{\"exited\": true, \"signal\": 9, \"out-data\": \"" + b64("partial") + "\"}");
                    break;
                }
            }
            assertThat(killerCollected).isTrue();
            s.awaitClientClose();
        });
        run("vm1", true);
        upMonitor("vm1");

        ExecVsiResponse r = calls.exec(exec("/bin/sleep", "20").setTimeoutMs(300).build(), () -> false);

        assertThat(r.getTimedOut()).isTrue();
        assertThat(r.getSignal()).isEqualTo(9);
        assertThat(r.getStdout().toStringUtf8()).isEqualTo("partial");
        assertThat(r.getElapsedMs()).isBetween(300L, 5000L);
        monitors.close();
        peer.awaitScript();
    }

    @Test
    void aProgramTheAgentCannotStartIsAFailedPrecondition() throws Exception {
        peer.play(s -> {
            comeUp(s);
            s.error(s.expect("guest-exec"), "GenericError", "Failed to execute child process (No such file or directory)");
            s.awaitClientClose();
        });
        run("vm1", true);
        upMonitor("vm1");

        assertFabric(() -> calls.exec(exec("/bin/nope").build(), () -> false), ErrorCode.FAILED_PRECONDITION,
                "guest agent of VSI vm1 could not start /bin/nope: Failed to execute child process (No such file or directory)");
        monitors.close();
        peer.awaitScript();
    }

    @Test
    void awaitReturnsTheFirstAnswerAtOrAfterTheInstantAndPingsForALaterOne() throws Exception {
        peer.play(s -> {
            comeUp(s);
            s.answer("guest-ping", "{}"); // the second await finds no answer that late and asks
            s.awaitClientClose();
        });
        run("vm1", true);
        Instant before = clock.instant();
        clock.advance(Duration.ofSeconds(3));
        upMonitor("vm1");

        AwaitGuestResponse known = calls.await(AwaitGuestRequest.newBuilder().setName("vm1")
                .setAfter(GuestMonitor.timestamp(before)).build());
        assertThat(known.getAnswered()).isTrue();
        assertThat(GuestMonitor.instant(known.getAnsweredAt())).isEqualTo(before.plusSeconds(3));
        assertThat(known.getGuest().getState()).isEqualTo(GuestStatus.State.UP);

        Instant later = clock.advance(Duration.ofSeconds(5));
        AwaitGuestResponse asked = calls.await(AwaitGuestRequest.newBuilder().setName("vm1")
                .setAfter(GuestMonitor.timestamp(later)).build());
        assertThat(asked.getAnswered()).isTrue();
        assertThat(GuestMonitor.instant(asked.getAnsweredAt())).isEqualTo(later);
        monitors.close();
        peer.awaitScript();
    }

    @Test
    void awaitGivesUpAtItsTimeoutAndAtOnceWhenTheImageHasNoAgent() {
        peer.play(s -> s.awaitClientClose()); // a booting guest: nothing answers
        run("vm1", true);
        long t0 = System.nanoTime();
        AwaitGuestResponse silent = calls.await(AwaitGuestRequest.newBuilder().setName("vm1").setTimeoutMs(300).build());
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(290L, 2000L);
        assertThat(silent.getAnswered()).isFalse();
        assertThat(silent.getGuest().getState()).isEqualTo(GuestStatus.State.BOOTING);

        run("vm2", false);
        t0 = System.nanoTime();
        AwaitGuestResponse none = calls.await(AwaitGuestRequest.newBuilder().setName("vm2").setTimeoutMs(5000).build());
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000L);
        assertThat(none.getAnswered()).isFalse();
        assertThat(none.getGuest().getState()).isEqualTo(GuestStatus.State.NO_AGENT);
        assertThat(none.getGuest().getMessage()).isEqualTo("image has no guest agent");
    }

    @Test
    void awaitStartsWatchingAnArrivedGuestThatRunsAlready() throws Exception {
        peer.play(s -> {
            s.sync();
            s.answer("guest-ping", "{}");
            s.awaitClientClose();
        });
        driver.start(VmLaunchSpec.builder().name("vm1").kernel(Path.of("/k")).initrd(Path.of("/i")).incoming("defer").build());
        monitors.incoming("vm1", true);
        assertThat(monitors.status("vm1").orElseThrow().getMessage()).isEqualTo("incoming migration");
        driver.completeIncoming("vm1"); // ResumeTarget ran; the reconciler has not looked yet
        Instant resumed = clock.advance(Duration.ofMillis(5));

        AwaitGuestResponse r = calls.await(AwaitGuestRequest.newBuilder().setName("vm1")
                .setAfter(GuestMonitor.timestamp(resumed)).setTimeoutMs(3000).build());

        assertThat(r.getAnswered()).isTrue();
        assertThat(GuestMonitor.instant(r.getAnsweredAt())).isEqualTo(resumed);
        assertThat(r.getGuest().getState()).isEqualTo(GuestStatus.State.UP);
        monitors.close();
        peer.awaitScript();
    }
}
