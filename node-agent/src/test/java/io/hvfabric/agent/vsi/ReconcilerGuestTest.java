package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.agent.guest.GuestState;
import io.hvfabric.agent.testkit.ManualClock;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.proto.v1.VsiStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which guests the reconciler has watched, and what the heartbeat then reports of them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconcilerGuestTest {
    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock();
    private final List<String> changes = new ArrayList<>();
    private final Set<String> incoming = new HashSet<>();
    private FakeDriver driver;
    private GuestMonitors guests;
    private Reconciler reconciler;
    private Image withAgent;
    private Image withoutAgent;

    @BeforeEach
    void setUp() throws Exception {
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(tmp.resolve("initrd.gz"), "i");
        withAgent = Image.newBuilder().setName("default").setKernel(kernel.toString()).setInitrd(initrd.toString())
                .setGuestAgent(true).build();
        withoutAgent = withAgent.toBuilder().setName("plain").setGuestAgent(false).build();
        driver = new FakeDriver(tmp.resolve("vms"));
        // A socket path for every guest, as QEMU would have; nothing is ticked, so nothing connects.
        guests = new GuestMonitors(name -> Optional.of(tmp.resolve(name + ".sock")), GuestPolicy.DEFAULT, clock,
                (vsi, state) -> changes.add(vsi + "=" + state.map(GuestState::name).orElse("gone")));
        reconciler = new Reconciler(driver, new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE), RestartPolicy.DEFAULT, () -> { }, incoming::contains, guests);
    }

    @AfterEach
    void tearDown() {
        guests.close();
    }

    private VsiAssignment assignment(String name, String desired, Image image) {
        return VsiAssignment.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(128))
                .setDesired(desired)
                .setImage(image)
                .build();
    }

    private void desire(VsiAssignment... assignments) {
        reconciler.setDesired(DesiredState.newBuilder().addAllVsis(List.of(assignments)).build());
        reconciler.reconcileOnce();
    }

    private GuestStatus guestOf(String name) {
        return reconciler.statuses().stream().filter(s -> s.getName().equals(name)).findFirst()
                .map(VsiStatus::getGuest).orElseThrow();
    }

    @Test
    void aStartedGuestBootsAndAnImageWithoutAgentIsNoAgentAtOnce() {
        desire(assignment("vm1", "RUNNING", withAgent), assignment("vm2", "RUNNING", withoutAgent));

        assertThat(guestOf("vm1").getState()).isEqualTo(GuestStatus.State.BOOTING);
        assertThat(guestOf("vm2").getState()).isEqualTo(GuestStatus.State.NO_AGENT);
        assertThat(guestOf("vm2").getMessage()).isEqualTo("image has no guest agent");
        assertThat(changes).containsExactly("vm1=BOOTING", "vm2=NO_AGENT");

        desire(assignment("vm1", "RUNNING", withAgent), assignment("vm2", "RUNNING", withoutAgent));
        assertThat(changes).hasSize(2); // a repeated pass changes nothing
    }

    @Test
    void aStoppedOrRemovedVsiLosesItsMonitor() {
        desire(assignment("vm1", "RUNNING", withAgent), assignment("vm2", "RUNNING", withAgent));

        desire(assignment("vm1", "STOPPED", withAgent));

        assertThat(guests.status("vm1")).isEmpty();
        assertThat(guests.status("vm2")).isEmpty();
        assertThat(changes).containsExactlyInAnyOrder("vm1=BOOTING", "vm2=BOOTING", "vm1=gone", "vm2=gone");
    }

    @Test
    void aRestartedGuestBootsAgain() {
        Reconciler noBackoff = new Reconciler(driver, new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE), new RestartPolicy(3, Duration.ofMinutes(10), Duration.ZERO),
                () -> { }, incoming::contains, guests);
        DesiredState desired = DesiredState.newBuilder().addVsis(assignment("vm1", "RUNNING", withAgent)).build();
        noBackoff.setDesired(desired);
        noBackoff.reconcileOnce();
        driver.crash("vm1");

        noBackoff.reconcileOnce();

        assertThat(driver.status("vm1")).isEqualTo(VmStatus.RUNNING);
        assertThat(noBackoff.statuses().get(0).getGuest().getState()).isEqualTo(GuestStatus.State.BOOTING);
        assertThat(changes).containsExactly("vm1=BOOTING", "vm1=gone", "vm1=BOOTING");
    }

    @Test
    void anArrivingGuestIsBootingWithIncomingMigrationUntilItIsResumed() {
        driver.start(new VmLaunchSpec("vm3", 1, 128, Path.of("/k"), Path.of("/i"), "", Accelerator.TCG,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE, Optional.of("defer"), List.of()));
        incoming.add("vm3");

        desire(assignment("vm3", Reconciler.MIGRATING_IN, withAgent));
        assertThat(guests.status("vm3").orElseThrow().getMessage()).isEqualTo("incoming migration");
        assertThat(reconciler.statuses()).isEmpty(); // still the source's to report

        incoming.remove("vm3");
        driver.completeIncoming("vm3"); // resumed by ResumeTarget
        clock.advance(Duration.ofSeconds(7));
        desire(assignment("vm3", "RUNNING", withAgent));

        GuestStatus g = guestOf("vm3");
        assertThat(g.getState()).isEqualTo(GuestStatus.State.BOOTING);
        assertThat(g.getMessage()).isEmpty();
        assertThat(g.getSince().getSeconds()).isEqualTo(clock.instant().getEpochSecond()); // the boot bound starts now
    }

    @Test
    void aMigratedSourceIsHeldThenDroppedWhenDestroyed() {
        desire(assignment("vm1", "RUNNING", withAgent));
        driver.pause("vm1", VmStatus.MIGRATED);

        desire(assignment("vm1", Reconciler.MIGRATING_OUT, withAgent));
        assertThat(guestOf("vm1").getState()).isEqualTo(GuestStatus.State.BOOTING); // held as it was

        desire(); // ownership moved to the target: the copy here goes
        assertThat(driver.status("vm1")).isEqualTo(VmStatus.STOPPED);
        assertThat(guests.status("vm1")).isEmpty();
        assertThat(changes).containsExactly("vm1=BOOTING", "vm1=gone");
    }
}
