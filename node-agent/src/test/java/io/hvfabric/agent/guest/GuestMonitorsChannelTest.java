package io.hvfabric.agent.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.testkit.ManualClock;
import io.hvfabric.proto.v1.GuestStatus;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An arriving migration's session is registered before the target QEMU runs, so its first monitor finds no guest
 * agent socket. Once QEMU is up the monitor must find it, not report NO_AGENT for good (seen in the demo after a
 * rebalance move).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GuestMonitorsChannelTest {
    @Test
    void aSocketThatAppearsAfterTheMonitorWasMadeIsPickedUp() {
        AtomicReference<Optional<Path>> socket = new AtomicReference<>(Optional.empty());
        try (GuestMonitors guests = new GuestMonitors(name -> socket.get(), GuestPolicy.DEFAULT, new ManualClock(),
                (vsi, state) -> { })) {
            guests.incoming("vm1", true);
            assertThat(state(guests)).isEqualTo(GuestStatus.State.NO_AGENT);

            socket.set(Optional.of(Path.of("/nonexistent/vm1/qga.sock")));
            guests.incoming("vm1", true);
            assertThat(state(guests)).isEqualTo(GuestStatus.State.BOOTING);

            guests.running("vm1", true);
            assertThat(state(guests)).isEqualTo(GuestStatus.State.BOOTING);
            assertThat(guests.get("vm1").orElseThrow().client()).isPresent();
        }
    }

    @Test
    void aQemuWithoutAChannelIsNotRecreatedOnEveryPass() {
        try (GuestMonitors guests = new GuestMonitors(name -> Optional.empty(), GuestPolicy.DEFAULT, new ManualClock(),
                (vsi, state) -> { })) {
            guests.running("vm1", true);
            GuestMonitor first = guests.get("vm1").orElseThrow();
            guests.running("vm1", true);
            assertThat(guests.get("vm1").orElseThrow()).isSameAs(first);
        }
    }

    private static GuestStatus.State state(GuestMonitors guests) {
        return guests.status("vm1").orElseThrow().getState();
    }
}
