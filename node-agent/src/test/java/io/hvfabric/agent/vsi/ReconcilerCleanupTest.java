package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.agent.testkit.ManualClock;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the scheduler no longer assigns here goes, running or stopped: a stopped VSI still holds its run dir and uid. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconcilerCleanupTest {
    @TempDir
    Path tmp;
    private GuestMonitors guests;
    private FakeDriver driver;
    private Reconciler reconciler;
    private Image image;

    @BeforeEach
    void setUp() throws Exception {
        image = Image.newBuilder().setName("default")
                .setKernel(Files.writeString(tmp.resolve("vmlinuz"), "k").toString())
                .setInitrd(Files.writeString(tmp.resolve("initrd.gz"), "i").toString()).build();
        driver = new FakeDriver(tmp.resolve("vms"));
        guests = new GuestMonitors(name -> Optional.empty(), GuestPolicy.DEFAULT, new ManualClock(), (vsi, s) -> { });
        reconciler = new Reconciler(driver, new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE), RestartPolicy.DEFAULT, () -> { }, name -> false, guests);
    }

    @AfterEach
    void tearDown() {
        guests.close();
    }

    @Test
    void aVsiDeletedWhileStoppedIsDestroyedAndAStoppedOneStillAssignedStays() {
        desire(assignment("vm1", "RUNNING"), assignment("vm2", "RUNNING"));
        reconciler.reconcileOnce();
        desire(assignment("vm1", "STOPPED"), assignment("vm2", "STOPPED"));
        reconciler.reconcileOnce();
        assertThat(driver.listRunning()).isEmpty();
        assertThat(driver.listResident()).containsExactly("vm1", "vm2");

        desire(assignment("vm2", "STOPPED"));
        reconciler.reconcileOnce();

        assertThat(driver.listResident()).containsExactly("vm2");
        assertThat(driver.specOf("vm1")).isEmpty();
    }

    private VsiAssignment assignment(String name, String desired) {
        return VsiAssignment.newBuilder().setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(128))
                .setDesired(desired).setImage(image).build();
    }

    private void desire(VsiAssignment... assignments) {
        DesiredState.Builder state = DesiredState.newBuilder();
        for (VsiAssignment a : assignments) {
            state.addVsis(a);
        }
        reconciler.setDesired(state.build());
    }
}
