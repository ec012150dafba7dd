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
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.proto.v1.VsiStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A guest that died is restarted once per death, however many passes run while its restart is pending. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconcilerRestartTest {
    @TempDir
    Path tmp;
    private GuestMonitors guests;

    @AfterEach
    void tearDown() {
        guests.close();
    }

    @Test
    void passesDuringTheBackoffDoNotCountTheDeathAgain() throws Exception {
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(tmp.resolve("initrd.gz"), "i");
        FakeDriver driver = new FakeDriver(tmp.resolve("vms"));
        guests = new GuestMonitors(name -> Optional.empty(), GuestPolicy.DEFAULT, new ManualClock(), (vsi, s) -> { });
        Reconciler reconciler = new Reconciler(driver, new LaunchSpecs(new ImageFiles(tmp),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE), new RestartPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(30)),
                () -> { }, name -> false, guests);
        reconciler.setDesired(DesiredState.newBuilder().addVsis(VsiAssignment.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName("vm1").setVcpus(1).setMemoryMib(128))
                .setDesired("RUNNING")
                .setImage(Image.newBuilder().setName("default").setKernel(kernel.toString())
                        .setInitrd(initrd.toString()))).build());
        reconciler.reconcileOnce();
        assertThat(status(reconciler).getState()).isEqualTo(Vsi.State.RUNNING);

        driver.crash("vm1");
        for (int pass = 0; pass < 6; pass++) { // nudged passes (heartbeats, guest state changes) within the backoff
            reconciler.reconcileOnce();
        }

        VsiStatus after = status(reconciler);
        assertThat(after.getState()).isEqualTo(Vsi.State.STARTING);
        assertThat(after.getMessage()).isEqualTo("restart pending");
        assertThat(after.getRestarts()).isEqualTo(1);
    }

    private static VsiStatus status(Reconciler reconciler) {
        return reconciler.statuses().stream().filter(s -> s.getName().equals("vm1")).findFirst().orElseThrow();
    }
}
