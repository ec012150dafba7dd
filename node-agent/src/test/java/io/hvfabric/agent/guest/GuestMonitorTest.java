package io.hvfabric.agent.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.guest.GuestMonitor.Mode;
import io.hvfabric.agent.qga.QgaClient;
import io.hvfabric.agent.qga.ScriptedQgaPeer;
import io.hvfabric.agent.qga.ScriptedQgaPeer.Request;
import io.hvfabric.agent.testkit.ManualClock;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One guest's monitor against a scripted guest agent, ticked by hand with a manual clock. */
@Timeout(20)
class GuestMonitorTest {
    /** Short real-time ping timeouts keep the silent rounds quick; the schedule itself runs on the manual clock. */
    private static final GuestPolicy POLICY = new GuestPolicy(Duration.ofSeconds(1), Duration.ofMillis(200), 3,
            Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofSeconds(10));
    private static final String INTERFACES = "[{\"name\": \"eth0\", \"hardware-address\": \"52:54:00:00:00:01\","
            + " \"ip-addresses\": [{\"ip-address-type\": \"ipv4\", \"ip-address\": \"10.0.0.2\", \"prefix\": 24}]}]";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final List<GuestState> changes = new CopyOnWriteArrayList<>();
    private ScriptedQgaPeer peer;
    private GuestMonitor monitor;

    @BeforeEach
    void setUp() throws Exception {
        peer = new ScriptedQgaPeer(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (monitor != null) {
            monitor.close();
        }
        peer.close();
    }

    private GuestMonitor monitor(Mode mode, String message) {
        monitor = new GuestMonitor("vm1", Optional.of(new QgaClient("vm1", peer.socket())),
                GuestLiveness.booting(POLICY, clock.instant(), message), mode, POLICY, clock, m -> changes.add(m.state()));
        return monitor;
    }

    private void tickAfter(Duration d) {
        clock.advance(d);
        monitor.tick();
    }

    @Test
    void goesUpOnTheFirstAnswerAndReadsVersionAndInterfaces() throws Exception {
        peer.play(s -> {
            s.sync();
            s.answer("guest-ping", "{}");
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
            s.answer("guest-network-get-interfaces", INTERFACES);
            s.answer("guest-ping", "{}"); // interfaces are not due again yet
            s.awaitClientClose();
        });
        monitor(Mode.WATCHING, "");
        Instant booted = clock.instant();
        assertThat(monitor.status().getState()).isEqualTo(GuestStatus.State.BOOTING);

        tickAfter(Duration.ofSeconds(4));

        GuestStatus up = monitor.status();
        assertThat(up.getState()).isEqualTo(GuestStatus.State.UP);
        assertThat(GuestMonitor.instant(up.getSince())).isEqualTo(booted.plusSeconds(4));
        assertThat(up.getAgentVersion()).isEqualTo("hvf-qga 1");
        assertThat(up.getInterfacesList()).containsExactly(GuestInterface.newBuilder().setName("eth0")
                .setMac("52:54:00:00:00:01").addAddresses("10.0.0.2/24").build());
        assertThat(changes).containsExactly(GuestState.UP);
        assertThat(monitor.firstAnswerAtOrAfter(booted)).contains(booted.plusSeconds(4));

        tickAfter(Duration.ofMillis(500)); // not due: nothing sent
        tickAfter(Duration.ofMillis(500));
        monitor.close();
        peer.awaitScript();
    }

    @Test
    void missedPingsMakeItUnresponsiveAndAnswersBringItBack() throws Exception {
        peer.play(s -> {
            s.sync();
            s.answer("guest-ping", "{}");
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
            s.answer("guest-network-get-interfaces", INTERFACES);
            Request lost = s.expect("guest-ping");      // the guest stops here
            long second = s.expectSync();               // each later round resyncs first, in vain
            long third = s.expectSync();
            long fourth = s.expectSync();               // ... and the guest runs again
            s.reply(lost, "{}");
            s.syncReply(second);
            s.syncReply(third);
            s.syncReply(fourth);
            s.answer("guest-ping", "{}");
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
            s.answer("guest-network-get-interfaces", "[]");
            s.awaitClientClose();
        });
        monitor(Mode.WATCHING, "");
        tickAfter(Duration.ofSeconds(1));
        assertThat(monitor.state()).isEqualTo(GuestState.UP);

        Instant firstMiss = clock.advance(Duration.ofSeconds(1));
        monitor.tick();
        tickAfter(Duration.ofSeconds(1));
        assertThat(monitor.status().getMissedPings()).isEqualTo(2);
        assertThat(monitor.state()).isEqualTo(GuestState.UP);
        tickAfter(Duration.ofSeconds(1));

        GuestStatus unresponsive = monitor.status();
        assertThat(unresponsive.getState()).isEqualTo(GuestStatus.State.UNRESPONSIVE);
        assertThat(unresponsive.getMessage()).isEqualTo("missed 3 pings since " + firstMiss);
        assertThat(unresponsive.getMissedPings()).isEqualTo(3);
        assertThat(unresponsive.getInterfacesCount()).isEqualTo(1); // last known, kept

        tickAfter(Duration.ofSeconds(1));
        GuestStatus back = monitor.status();
        assertThat(back.getState()).isEqualTo(GuestStatus.State.UP);
        assertThat(back.getMissedPings()).isZero();
        assertThat(back.getInterfacesCount()).isZero(); // read again on the way back up
        assertThat(changes).containsExactly(GuestState.UP, GuestState.UNRESPONSIVE, GuestState.UP);
        monitor.close();
        peer.awaitScript();
    }

    @Test
    void aSilentBootEndsInNoAgentAfterTheBoundAndIsAskedLessOftenThen() throws Exception {
        peer.play(s -> {
            s.expectSync(); // first round at 1 s
            s.expectSync(); // at 2 s
            s.expectSync(); // after the bound: every 5 s
            s.awaitClientClose();
        });
        monitor(Mode.WATCHING, "");
        tickAfter(Duration.ofSeconds(1));
        tickAfter(Duration.ofSeconds(1));
        assertThat(monitor.state()).isEqualTo(GuestState.BOOTING);

        clock.advance(Duration.ofSeconds(88));
        monitor.tick(); // bound reached: NO_AGENT, and the retry is due
        GuestStatus noAgent = monitor.status();
        assertThat(noAgent.getState()).isEqualTo(GuestStatus.State.NO_AGENT);
        assertThat(noAgent.getMessage()).isEqualTo("no guest agent answered within 90 s");
        tickAfter(Duration.ofSeconds(1)); // retry not due yet: nothing sent
        tickAfter(Duration.ofSeconds(1));
        assertThat(changes).containsExactly(GuestState.NO_AGENT);
        monitor.close();
        peer.awaitScript();
    }

    @Test
    void anIncomingGuestIsLeftAloneUntilResumedThenBootsAnew() throws Exception {
        peer.play(s -> {
            s.sync();
            s.answer("guest-ping", "{}"); // the probe
            s.answer("guest-ping", "{}"); // the first scheduled round, which reads the facts too
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
            s.answer("guest-network-get-interfaces", "[]");
            s.awaitClientClose();
        });
        monitor(Mode.INCOMING, GuestMonitor.INCOMING);
        tickAfter(Duration.ofSeconds(200)); // held: no ping, no boot bound
        GuestStatus held = monitor.status();
        assertThat(held.getState()).isEqualTo(GuestStatus.State.BOOTING);
        assertThat(held.getMessage()).isEqualTo("incoming migration");

        Instant resumed = clock.advance(Duration.ofSeconds(1));
        monitor.watch();
        assertThat(monitor.status().getMessage()).isEmpty();
        assertThat(GuestMonitor.instant(monitor.status().getSince())).isEqualTo(resumed);

        assertThat(monitor.probe(Duration.ofSeconds(2))).contains(resumed); // AwaitGuest's own ping
        assertThat(monitor.state()).isEqualTo(GuestState.UP);
        tickAfter(Duration.ofMillis(10));
        assertThat(monitor.status().getAgentVersion()).isEqualTo("hvf-qga 1");
        monitor.close();
        peer.awaitScript();
    }

    @Test
    void aPausedGuestCountsNoMisses() throws Exception {
        peer.play(s -> {
            s.sync();
            s.answer("guest-ping", "{}");
            s.answer("guest-info", "{\"version\": \"hvf-qga 1\"}");
            s.answer("guest-network-get-interfaces", "[]");
            s.awaitClientClose();
        });
        monitor(Mode.WATCHING, "");
        tickAfter(Duration.ofSeconds(1));
        monitor.pause();
        for (int i = 0; i < 5; i++) {
            tickAfter(Duration.ofSeconds(1));
        }
        assertThat(monitor.status().getState()).isEqualTo(GuestStatus.State.UP);
        assertThat(monitor.status().getMissedPings()).isZero();
        monitor.close();
        peer.awaitScript();
    }
}
