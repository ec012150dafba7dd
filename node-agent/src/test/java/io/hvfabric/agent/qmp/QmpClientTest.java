package io.hvfabric.agent.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class QmpClientTest {
    private static final Duration CONNECT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private ScriptedQmpPeer peer;
    private QmpClient client;

    @BeforeEach
    void setUp() throws Exception {
        peer = new ScriptedQmpPeer(dir);
        client = new QmpClient("test", Duration.ofSeconds(3));
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        peer.close();
    }

    @Test
    void negotiatesCapabilitiesAndRuns() throws Exception {
        peer.play(s -> {
            s.handshake();
            s.reply(s.expect("query-status"), "{\"running\":true,\"singlestep\":false,\"status\":\"running\"}");
            s.awaitClientClose();
        });
        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);

        client.connect(peer.socket(), CONNECT);

        assertThat(client.state()).isEqualTo(QmpRunState.RUNNING);
        assertThat(client.greeting().at("/version/qemu/major").asInt()).isEqualTo(7);
        assertThat(client.queryStatus()).isEqualTo(new QmpStatus("running", true));
        client.close();
        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);
        peer.awaitScript();
    }

    @Test
    void matchesRepliesByIdWhenTheyArriveOutOfOrder() throws Exception {
        CountDownLatch bothSent = new CountDownLatch(1);
        peer.play(s -> {
            s.handshake();
            JsonNode first = s.expect("query-name");
            JsonNode second = s.expect("query-version");
            assertThat(first.get("id")).isNotEqualTo(second.get("id"));
            bothSent.countDown();
            s.reply(second, "{\"qemu\":{\"major\":7}}");
            s.reply(first, "{\"name\":\"vsi-1\"}");
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);

        CompletableFuture<JsonNode> name = client.executeAsync("query-name", null);
        CompletableFuture<JsonNode> version = client.executeAsync("query-version", null);

        assertThat(version.get(3, TimeUnit.SECONDS).at("/qemu/major").asInt()).isEqualTo(7);
        assertThat(name.get(3, TimeUnit.SECONDS).get("name").asText()).isEqualTo("vsi-1");
        assertThat(bothSent.await(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void sendsArgumentsAsJson() throws Exception {
        peer.play(s -> {
            s.handshake();
            JsonNode cmd = s.expect("migrate-set-parameters");
            s.reply(cmd, "{\"echo\":" + cmd.get("arguments") + "}");
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);

        JsonNode r = client.execute("migrate-set-parameters", Map.of("downtime-limit", 100, "tls-hostname", "h1"));

        assertThat(r.at("/echo/downtime-limit").asInt()).isEqualTo(100);
        assertThat(r.at("/echo/tls-hostname").asText()).isEqualTo("h1");
    }

    @Test
    void dispatchesEventsToListeners() throws Exception {
        CountDownLatch listenerReady = new CountDownLatch(1);
        peer.play(s -> {
            s.handshake();
            listenerReady.await(3, TimeUnit.SECONDS);
            s.event("STOP", "{}");
            s.event("SHUTDOWN", "{\"guest\":true,\"reason\":\"guest-shutdown\"}");
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);
        List<String> seen = new CopyOnWriteArrayList<>();
        client.addEventListener(e -> seen.add(e.name()));
        CompletableFuture<QmpEvent> shutdown = client.nextEvent("SHUTDOWN");
        listenerReady.countDown();

        QmpEvent event = shutdown.get(3, TimeUnit.SECONDS);

        assertThat(event.data().get("reason").asText()).isEqualTo("guest-shutdown");
        assertThat(event.timestamp()).isEqualTo(Instant.ofEpochSecond(1700000000, 250_000_000));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly("STOP", "SHUTDOWN");
    }

    @Test
    void errorReplyBecomesExecuteExceptionWithQemuClassAndDescription() throws Exception {
        peer.play(s -> {
            s.handshake();
            s.error(s.expect("device_del"), "DeviceNotFound", "Device 'net9' not found");
            s.reply(s.expect("query-status"), "{\"running\":false,\"status\":\"paused\"}");
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);

        assertThatThrownBy(() -> client.execute("device_del", Map.of("id", "net9")))
                .isInstanceOfSatisfying(QmpExecuteException.class, e -> {
                    assertThat(e.errorClass()).isEqualTo("DeviceNotFound");
                    assertThat(e.description()).isEqualTo("Device 'net9' not found");
                    assertThat(e.command()).isEqualTo("device_del");
                });
        // An error reply does not hurt the connection.
        assertThat(client.queryStatus()).isEqualTo(new QmpStatus("paused", false));
    }

    @Test
    void droppedSocketFailsPendingCommandsAndReturnsToIdle() throws Exception {
        peer.play(s -> {
            s.handshake();
            s.expect("query-migrate");
            s.drop();
        });
        client.connect(peer.socket(), CONNECT);

        assertThatThrownBy(() -> client.execute("query-migrate"))
                .isInstanceOf(QmpDisconnectedException.class)
                .hasMessageContaining("query-migrate");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> client.state() == QmpRunState.IDLE);
        assertThatThrownBy(() -> client.execute("query-status"))
                .isInstanceOf(QmpDisconnectedException.class)
                .hasMessageContaining("IDLE");
        peer.awaitScript();
    }

    @Test
    void canReconnectAfterADrop() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        peer.play(s -> {
            s.handshake();
            connected.await(3, TimeUnit.SECONDS);
            s.drop();
        });
        client.connect(peer.socket(), CONNECT);
        connected.countDown();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> client.state() == QmpRunState.IDLE);

        peer.play(s -> {
            s.handshake();
            s.reply(s.expect("query-status"), "{\"running\":true,\"status\":\"running\"}");
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);
        assertThat(client.queryStatus().running()).isTrue();
    }

    @Test
    void wrongGreetingIsAGreetingError() throws Exception {
        peer.play(s -> {
            s.sendRaw("{\"hello\":\"not qmp\"}");
            s.awaitClientClose();
        });
        assertThatThrownBy(() -> client.connect(peer.socket(), CONNECT))
                .isInstanceOf(QmpGreetingException.class)
                .hasMessageContaining("not qmp");
        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);
    }

    @Test
    void silentPeerIsAGreetingTimeout() throws Exception {
        peer.play(ScriptedQmpPeer.Session::awaitClientClose);
        assertThatThrownBy(() -> client.connect(peer.socket(), Duration.ofMillis(300)))
                .isInstanceOf(QmpGreetingException.class)
                .hasMessageContaining("no greeting within 300 ms");
        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);
    }

    @Test
    void rejectedCapabilitiesIsANegotiationError() throws Exception {
        peer.play(s -> {
            s.greet();
            s.error(s.expect("qmp_capabilities"), "GenericError", "Capability negotiation is already complete");
            s.awaitClientClose();
        });
        assertThatThrownBy(() -> client.connect(peer.socket(), CONNECT))
                .isInstanceOf(QmpNegotiationException.class)
                .hasMessageContaining("already complete");
        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);
    }

    @Test
    void missingSocketIsDisconnected() {
        assertThatThrownBy(() -> client.connect(dir.resolve("nope.sock"), CONNECT))
                .isInstanceOf(QmpDisconnectedException.class)
                .hasMessageContaining("nope.sock");
        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);
    }

    @Test
    void unansweredCommandTimesOutAndTheConnectionStaysUsable() throws Exception {
        peer.play(s -> {
            s.handshake();
            JsonNode slow = s.expect("query-migrate");
            JsonNode fast = s.expect("query-status");
            s.reply(fast, "{\"running\":true,\"status\":\"running\"}");
            s.reply(slow, "{\"status\":\"late\"}"); // arrives after the timeout: dropped
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);

        assertThatThrownBy(() -> client.execute("query-migrate", null, Duration.ofMillis(200)))
                .isInstanceOf(QmpTimeoutException.class);
        assertThat(client.queryStatus().running()).isTrue();
        assertThat(client.state()).isEqualTo(QmpRunState.RUNNING);
    }

    @Test
    void quitSucceedsWhenQemuClosesTheSocket() throws Exception {
        peer.play(s -> {
            s.handshake();
            JsonNode quit = s.expect("quit");
            s.reply(quit, "{}");
            s.drop();
        });
        client.connect(peer.socket(), CONNECT);

        client.quit();

        assertThat(client.state()).isEqualTo(QmpRunState.IDLE);
        peer.awaitScript();
    }

    @Test
    void connectTwiceIsRejected() throws Exception {
        peer.play(s -> {
            s.handshake();
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);
        assertThatThrownBy(() -> client.connect(peer.socket(), CONNECT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be IDLE");
    }

    @Test
    void closeFailsCommandsInFlight() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        peer.play(s -> {
            s.handshake();
            s.expect("query-migrate");
            received.countDown();
            s.awaitClientClose();
        });
        client.connect(peer.socket(), CONNECT);
        CompletableFuture<JsonNode> inFlight = client.executeAsync("query-migrate", null);
        assertThat(received.await(3, TimeUnit.SECONDS)).isTrue();

        client.close();

        assertThatThrownBy(() -> inFlight.get(3, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(QmpDisconnectedException.class);
    }
}
