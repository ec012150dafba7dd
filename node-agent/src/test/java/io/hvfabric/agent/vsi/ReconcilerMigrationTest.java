package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How the reconciler treats guests that live migration is moving in or out. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconcilerMigrationTest {
    @TempDir
    Path tmp;
    private FakeDriver driver;
    private Reconciler reconciler;
    private Image image;
    private final Set<String> incoming = new HashSet<>();

    @BeforeEach
    void setUp() throws Exception {
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(tmp.resolve("initrd.gz"), "i");
        image = Image.newBuilder().setName("default").setKernel(kernel.toString()).setInitrd(initrd.toString()).build();
        driver = new FakeDriver(tmp.resolve("vms"));
        reconciler = new Reconciler(driver, new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE), RestartPolicy.DEFAULT, () -> { }, incoming::contains,
                new GuestMonitors(driver::guestAgentSocket, GuestPolicy.DEFAULT, Clock.systemUTC(), (vsi, state) -> { }));
    }

    private VsiAssignment assignment(String name, String desired) {
        return VsiAssignment.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(128))
                .setDesired(desired)
                .setImage(image)
                .build();
    }

    private void desire(VsiAssignment... assignments) {
        DesiredState.Builder b = DesiredState.newBuilder();
        for (VsiAssignment a : assignments) {
            b.addVsis(a);
        }
        reconciler.setDesired(b.build());
        reconciler.reconcileOnce();
    }

    private void startRunning(String name) {
        driver.start(new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE)
                .forAssignment(assignment(name, "RUNNING")));
    }

    private void startIncoming(String name) {
        VmLaunchSpec normal = new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE).forAssignment(assignment(name, "RUNNING"));
        driver.start(new VmLaunchSpec(normal.name(), normal.vcpus(), normal.memoryMib(), normal.kernel(),
                normal.initrd(), normal.cmdline(), normal.accelerator(), normal.cpuModel(), normal.machineType(),
                java.util.Optional.of("defer"), normal.nics()));
    }

    @Test
    void migratingOutLeavesAPostmigrateGuestAloneAndReportsMigrating() {
        startRunning("vm1");
        driver.pause("vm1", VmStatus.MIGRATED);

        desire(assignment("vm1", Reconciler.MIGRATING_OUT));

        assertThat(driver.status("vm1")).isEqualTo(VmStatus.MIGRATED);
        assertThat(reconciler.statuses()).singleElement()
                .satisfies(s -> assertThat(s.getState()).isEqualTo(Vsi.State.MIGRATING));
    }

    @Test
    void migratingOutNeverStartsAGuestThatIsGone() {
        desire(assignment("vm1", Reconciler.MIGRATING_OUT));
        assertThat(driver.status("vm1")).isEqualTo(VmStatus.STOPPED);
    }

    @Test
    void rollbackToRunningResumesAPostmigrateSource() {
        startRunning("vm1");
        driver.pause("vm1", VmStatus.MIGRATED);

        desire(assignment("vm1", "RUNNING"));

        assertThat(driver.status("vm1")).isEqualTo(VmStatus.RUNNING);
        assertThat(reconciler.statuses()).singleElement()
                .satisfies(s -> assertThat(s.getState()).isEqualTo(Vsi.State.RUNNING));
    }

    @Test
    void migratingInKeepsTheIncomingGuestWithoutStartingOrReportingIt() {
        startIncoming("vm2");

        desire(assignment("vm2", Reconciler.MIGRATING_IN));

        assertThat(driver.status("vm2")).isEqualTo(VmStatus.INCOMING);
        assertThat(reconciler.statuses()).isEmpty();
    }

    @Test
    void migratingInStartsNothingWhenNoGuestArrivedYet() {
        desire(assignment("vm2", Reconciler.MIGRATING_IN));
        assertThat(driver.status("vm2")).isEqualTo(VmStatus.STOPPED);
    }

    @Test
    void unassignedGuestIsDestroyedUnlessItIsBeingReceived() {
        startRunning("gone");
        startIncoming("arriving");
        incoming.add("arriving");

        desire();

        assertThat(driver.status("gone")).isEqualTo(VmStatus.STOPPED);
        assertThat(driver.status("arriving")).isEqualTo(VmStatus.INCOMING);

        incoming.remove("arriving");
        reconciler.reconcileOnce();
        assertThat(driver.status("arriving")).isEqualTo(VmStatus.STOPPED);
    }

    @Test
    void aGuestStillBeingReceivedIsNotResumedEvenWhenDesiredRunning() {
        startRunning("vm3");
        driver.pause("vm3", VmStatus.PAUSED);
        incoming.add("vm3");

        desire(assignment("vm3", "RUNNING"));

        assertThat(driver.status("vm3")).isEqualTo(VmStatus.PAUSED);
    }
}
