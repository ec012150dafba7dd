package io.hvfabric.agent.qga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.qga.ScriptedQgaPeer.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class QgaClientTest {
    private static final Duration CALL = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private ScriptedQgaPeer peer;
    private QgaClient client;

    @BeforeEach
    void setUp() throws Exception {
        peer = new ScriptedQgaPeer(dir);
        client = new QgaClient("vm1", peer.socket());
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        peer.close();
    }

    @Test
    void resyncsOnceThenExecutesCommandsWithTheirIds() throws Exception {
        peer.play(s -> {
            s.sync();
            Request ping = s.answer("guest-ping", "{}");
            assertThat(ping.message().path("id").asText()).startsWith("hvf-");
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\", \"supported_commands\": []}");
            s.awaitClientClose();
        });

        client.ping(CALL);
        assertThat(client.info(CALL)).isEqualTo(new GuestInfo("hvf-qga 1"));
        client.close();
        peer.awaitScript();
    }

    @Test
    void staleRepliesAndPartialInputBeforeTheSyncMarkerAreDiscarded() throws Exception {
        peer.play(s -> {
            long id = s.expectSync();
            s.sendRaw("{\"return\": {\"pid\": 7}, \"id\": \"hvf-1\"}"); // from an earlier connection
            s.syncReply(id + 1);                                      // an earlier sync's answer
            s.sendBytes("{\"return\": {\"vers".getBytes(StandardCharsets.UTF_8)); // cut off mid-reply
            s.syncReply(id);
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
            s.awaitClientClose();
        });

        assertThat(client.info(CALL).version()).isEqualTo("hvf-qga 1");
        client.close();
        peer.awaitScript();
    }

    @Test
    void anErrorReplyKeepsItsClassAndDescriptionAndTheConnection() throws Exception {
        peer.play(s -> {
            s.sync();
            s.error(s.expect("guest-exec"), "GenericError", "Failed to execute child process \\\"/bin/nope\\\" (No such file or directory)");
            s.answer("guest-ping", "{}"); // no resync needed after an answered command
            s.awaitClientClose();
        });

        assertThatThrownBy(() -> client.exec(List.of("/bin/nope"), new byte[0], true, CALL))
                .isInstanceOfSatisfying(QgaErrorException.class, e -> {
                    assertThat(e.command()).isEqualTo("guest-exec");
                    assertThat(e.errorClass()).isEqualTo("GenericError");
                    assertThat(e.description()).isEqualTo("Failed to execute child process \"/bin/nope\" (No such file or directory)");
                });
        client.ping(CALL);
        client.close();
        peer.awaitScript();
    }

    @Test
    void aSilentAgentFailsTheSyncWithinTheTimeout() throws Exception {
        peer.play(s -> {
            s.expectSync(); // booting guest: nobody answers
            s.awaitClientClose();
        });

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.ping(Duration.ofMillis(300))).isInstanceOf(QgaSyncException.class)
                .hasMessageContaining("within 300 ms");
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 1500L);
        client.close();
        peer.awaitScript();
    }

    @Test
    void aTimedOutCommandIsFollowedByAResyncThatSkipsItsLateReply() throws Exception {
        peer.play(s -> {
            s.sync();
            Request late = s.expect("guest-ping"); // stopped guest: no answer in time
            long id = s.expectSync();
            s.reply(late, "{}"); // the guest runs again and answers everything queued
            s.syncReply(id);
            s.reply(s.expect("guest-network-get-interfaces"), "[]");
            s.awaitClientClose();
        });

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.ping(Duration.ofMillis(300))).isInstanceOf(QgaTimeoutException.class)
                .hasMessage("guest agent of vm1 did not answer 'guest-ping' within 300 ms");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1500L);
        assertThat(client.networkInterfaces(CALL)).isEmpty();
        client.close();
        peer.awaitScript();
    }

    @Test
    void aDroppedSocketFailsTheCallAndTheNextCallReconnects() throws Exception {
        peer.play(s -> {
            s.sync();
            s.expect("guest-ping");
            s.drop();
        }, s -> {
            s.sync();
            s.answer("guest-ping", "{}");
            s.awaitClientClose();
        });

        assertThatThrownBy(() -> client.ping(CALL)).isInstanceOf(QgaDisconnectedException.class)
                .hasMessageContaining("lost during 'guest-ping'");
        client.ping(CALL);
        client.close();
        peer.awaitScript();
    }

    @Test
    void aMissingSocketIsAConnectFailure() {
        QgaClient nowhere = new QgaClient("vm2", dir.resolve("absent.sock"));
        assertThatThrownBy(() -> nowhere.ping(CALL)).isInstanceOf(QgaConnectException.class)
                .hasMessageContaining("absent.sock");
    }

    @Test
    void execSendsArgvStdinAndCaptureAndStatusDecodesOutput() throws Exception {
        peer.play(s -> {
            s.sync();
            Request exec = s.expect("guest-exec");
            assertThat(exec.arguments().path("path").asText()).isEqualTo("/bin/sh");
            assertThat(exec.arguments().path("arg").toString()).isEqualTo("[\"-c\",\"cat; exit 3\"]");
            assertThat(exec.arguments().path("input-data").asText()).isEqualTo(b64("hi\n"));
            assertThat(exec.arguments().path("capture-output").asBoolean()).isTrue();
            s.reply(exec, "{\"pid\": 42}");
            assertThat(s.answer("guest-exec-status", "{\"exited\": false}").arguments().path("pid").asLong()).isEqualTo(42);
            s.answer("guest-exec-status", "{\"exited\": true, \"exitcode\": 3, \"out-data\": \"" + b64("hi\n")
                    + "\", \"err-data\": \"\", \"out-truncated\": false, \"err-truncated\": true}");
            s.awaitClientClose();
        });

        long pid = client.exec(List.of("/bin/sh", "-c", "cat; exit 3"), "hi\n".getBytes(StandardCharsets.UTF_8), true, CALL);
        assertThat(pid).isEqualTo(42);
        assertThat(client.execStatus(pid, CALL).exited()).isFalse();
        GuestExecStatus done = client.execStatus(pid, CALL);
        assertThat(done.exited()).isTrue();
        assertThat(done.exitCode()).isEqualTo(OptionalInt.of(3));
        assertThat(done.signal()).isZero();
        assertThat(new String(done.out(), StandardCharsets.UTF_8)).isEqualTo("hi\n");
        assertThat(done.err()).isEmpty();
        assertThat(done.errTruncated()).isTrue();
        client.close();
        peer.awaitScript();
    }

    @Test
    void interfacesAreParsedAndWhatTheGuestSaysIsBounded() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            many.append(i == 0 ? "" : ",").append("{\"ip-address-type\": \"ipv4\", \"ip-address\": \"10.0.0.").append(i)
                    .append("\", \"prefix\": 24}");
        }
        peer.play(s -> {
            s.sync();
            s.answer("guest-network-get-interfaces", "[{\"name\": \"lo\", \"ip-addresses\": [{\"ip-address-type\": \"ipv4\","
                    + " \"ip-address\": \"127.0.0.1\", \"prefix\": 8}]}, {\"name\": \"eth0\\u0007" + "x".repeat(300)
                    + "\", \"hardware-address\": \"52:54:00:12:34:56\", \"ip-addresses\": [" + many + "]}]");
            s.awaitClientClose();
        });

        List<GuestNetworkInterface> ifaces = client.networkInterfaces(CALL);
        assertThat(ifaces).hasSize(2);
        assertThat(ifaces.get(0)).isEqualTo(new GuestNetworkInterface("lo", "", List.of("127.0.0.1/8")));
        assertThat(ifaces.get(1).name()).startsWith("eth0?x").hasSize(QgaClient.MAX_TEXT);
        assertThat(ifaces.get(1).mac()).isEqualTo("52:54:00:12:34:56");
        assertThat(ifaces.get(1).addresses()).hasSize(QgaClient.MAX_ADDRESSES).startsWith("10.0.0.0/24");
        client.close();
        peer.awaitScript();
    }

    @Test
    void anEndlessLineFromTheGuestIsAProtocolFailureNotAnAllocation() throws Exception {
        peer.play(s -> {
            s.sync();
            s.expect("guest-ping");
            byte[] chunk = "a".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            try {
                for (int i = 0; i < 5; i++) {
                    s.sendBytes(chunk);
                }
            } catch (IOException expected) {
                return; // the client gave up on the line and closed the socket
            }
            s.awaitClientClose();
        });

        assertThatThrownBy(() -> client.ping(CALL)).isInstanceOf(QgaDisconnectedException.class)
                .hasMessageContaining("over " + QgaTransport.MAX_MESSAGE_BYTES + " bytes");
        client.close();
        peer.awaitScript();
    }

    @Test
    void closeEndsACallInProgress() throws Exception {
        CountDownLatch pingSent = new CountDownLatch(1);
        peer.play(s -> {
            s.sync();
            s.expect("guest-ping");
            pingSent.countDown();
            s.awaitClientClose();
        });
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                client.ping(Duration.ofSeconds(10));
                return null;
            } catch (QgaException e) {
                return e;
            }
        });
        assertThat(pingSent.await(5, TimeUnit.SECONDS)).isTrue();

        client.close();

        assertThat(failure.get(2, TimeUnit.SECONDS)).isInstanceOf(QgaDisconnectedException.class);
        assertThatThrownBy(() -> client.ping(CALL)).isInstanceOf(QgaDisconnectedException.class).hasMessageContaining("closed");
        peer.awaitScript();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
