package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.Vsi;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class VsiExecTest {
    private InProcessScheduler scheduler;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
        scheduler.service.vsis.put("web-1", Vsi.newBuilder().setName("web-1").setHost("h1").setState(Vsi.State.RUNNING)
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    private ExecVsiRequest sent() {
        return (ExecVsiRequest) scheduler.service.requests.get(0);
    }

    @Test
    void outputPassesThroughAndTheExitCodeIsTheCommands() {
        scheduler.service.execAnswer = ExecVsiResponse.newBuilder().setExited(true).setExitCode(3)
                .setStdout(ByteString.copyFromUtf8("out line\n")).setStderr(ByteString.copyFromUtf8("err line\n"))
                .build();

        CliRun run = scheduler.run("vsi", "exec", "web-1", "--", "/bin/sh", "-c", "echo hi; exit 3");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stdout()).isEqualTo("out line\n");
        assertThat(run.stderr()).isEqualTo("err line\n");
        assertThat(sent().getName()).isEqualTo("web-1");
        assertThat(sent().getCommandList()).containsExactly("/bin/sh", "-c", "echo hi; exit 3");
        assertThat(sent().getTimeoutMs()).isEqualTo(10_000);
    }

    @Test
    void aSuccessfulCommandExitsZeroWithoutAnythingAdded() {
        scheduler.service.execAnswer = ExecVsiResponse.newBuilder().setExited(true)
                .setStdout(ByteString.copyFrom(new byte[] {0, (byte) 0xff, 'x'})).build();

        CliRun run = scheduler.run("vsi", "exec", "web-1", "/bin/true");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(sent().getCommandList()).containsExactly("/bin/true");
    }

    @Test
    void aTimedOutCommandSaysSoAndExits124() {
        scheduler.service.execAnswer = ExecVsiResponse.newBuilder().setTimedOut(true)
                .setStdout(ByteString.copyFromUtf8("partial\n")).build();

        CliRun run = scheduler.run("vsi", "exec", "web-1", "--timeout", "3", "--", "/bin/sleep", "60");

        assertThat(run.exitCode()).isEqualTo(124);
        assertThat(run.stdout()).isEqualTo("partial\n");
        assertThat(run.stderrLines()).containsExactly(
                "hvctl: command in VSI web-1 still running after 3 s (timed out)");
        assertThat(sent().getTimeoutMs()).isEqualTo(3_000);
    }

    @Test
    void aSignalledCommandExits128PlusTheSignal() {
        scheduler.service.execAnswer = ExecVsiResponse.newBuilder().setSignal(9).build();

        assertThat(scheduler.run("vsi", "exec", "web-1", "/bin/kill-me").exitCode()).isEqualTo(137);
    }

    @Test
    void truncatedOutputAddsOneNote() {
        scheduler.service.execAnswer = ExecVsiResponse.newBuilder().setExited(true)
                .setStdout(ByteString.copyFromUtf8("lots")).setStdoutTruncated(true).setStderrTruncated(true).build();

        CliRun run = scheduler.run("vsi", "exec", "web-1", "/bin/yes");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stderrLines()).containsExactly(
                "hvctl: the command's stdout and stderr were cut off (the guest agent returns at most 1 MiB of each)");
    }

    @Test
    void stdinComesFromTheFile() throws Exception {
        Path input = Files.write(dir.resolve("in.txt"), "hello\n".getBytes());

        CliRun run = scheduler.run("vsi", "exec", "web-1", "--stdin-file", input.toString(), "--", "/bin/cat");

        assertThat(run.exitCode()).isZero();
        assertThat(sent().getStdin().toStringUtf8()).isEqualTo("hello\n");
    }

    @Test
    void tooMuchStdinOrTimeIsAUsageErrorBeforeAnyCall() throws Exception {
        Path big = Files.write(dir.resolve("big"), new byte[64 * 1024 + 1]);

        CliRun stdin = scheduler.run("vsi", "exec", "web-1", "--stdin-file", big.toString(), "--", "/bin/cat");
        CliRun timeout = scheduler.run("vsi", "exec", "web-1", "--timeout", "6m", "--", "/bin/true");
        CliRun missing = scheduler.run("vsi", "exec", "web-1", "--stdin-file", dir.resolve("nope").toString(), "--",
                "/bin/cat");
        CliRun noCommand = scheduler.run("vsi", "exec", "web-1");

        assertThat(stdin.exitCode()).isEqualTo(2);
        assertThat(stdin.stderrLines()).singleElement().asString().startsWith("hvctl: --stdin-file: at most 64 KiB");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.stderrLines()).containsExactly("hvctl: --timeout: vsi exec allows at most 5m, got 360s");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(noCommand.stderrLines()).singleElement().asString().contains("COMMAND");
        assertThat(scheduler.service.calls.get()).isZero();
    }

    @Test
    void refusalsFollowTheCliRules() {
        CliRun unknown = scheduler.run("vsi", "exec", "nope", "/bin/true");
        scheduler.service.execFailure = Status.FAILED_PRECONDITION.withDescription("vsi 'web-1' is STOPPED; exec needs it RUNNING");
        CliRun stopped = scheduler.run("vsi", "exec", "web-1", "/bin/true");
        scheduler.service.execFailure = Status.PERMISSION_DENIED.withDescription("peer 'h2' has role 'agent'");
        CliRun denied = scheduler.run("vsi", "exec", "web-1", "/bin/true");
        scheduler.service.execFailure = Status.INVALID_ARGUMENT.withDescription("field 'command': argv[1] must not contain a NUL byte");
        CliRun invalid = scheduler.run("vsi", "exec", "web-1", "/bin/true");

        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderrLines()).containsExactly("hvctl: not found: vsi 'nope' does not exist");
        assertThat(stopped.exitCode()).isEqualTo(1);
        assertThat(stopped.stderrLines()).containsExactly(
                "hvctl: failed precondition: vsi 'web-1' is STOPPED; exec needs it RUNNING");
        assertThat(denied.exitCode()).isEqualTo(1);
        assertThat(denied.stderrLines()).hasSize(1);
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.stderrLines()).hasSize(1);
    }

    @Test
    void jsonPrintsTheAnswerAndKeepsTheExitCode() {
        scheduler.service.execAnswer = ExecVsiResponse.newBuilder().setExited(true).setExitCode(5)
                .setStdout(ByteString.copyFromUtf8("x")).setElapsedMs(12).build();

        CliRun run = scheduler.run("vsi", "exec", "web-1", "-o", "json", "--", "/bin/false");

        assertThat(run.exitCode()).isEqualTo(5);
        JsonObject answer = JsonParser.parseString(run.stdout()).getAsJsonObject();
        assertThat(answer.get("exitCode").getAsInt()).isEqualTo(5);
        assertThat(answer.get("host").getAsString()).isEqualTo("h1");
        assertThat(answer.get("stdout").getAsString()).isEqualTo("eA==");
    }
}
