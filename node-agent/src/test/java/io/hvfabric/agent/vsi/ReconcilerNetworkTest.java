package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.agent.network.NetNames;
import io.hvfabric.agent.network.NoNetworking;
import io.hvfabric.agent.network.SimulatedNetworking;
import io.hvfabric.agent.network.VsiNetworking;
import io.hvfabric.agent.testkit.ManualClock;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.proto.v1.VsiStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The reconcile loop and the host's tenant networks: taps before QEMU, gone with the VSI, refused when off. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReconcilerNetworkTest {
    @TempDir
    Path tmp;
    private GuestMonitors guests;
    private FakeDriver driver;
    private Image image;

    /** Records the calls, in order, with what the driver had running at each. */
    private final class Recording implements VsiNetworking {
        final List<String> calls = new ArrayList<>();

        @Override
        public void converge(DesiredState state) {
            calls.add("converge " + state.getVsisCount());
        }

        @Override
        public Optional<String> refusal(VsiAssignment assignment) {
            return Optional.empty();
        }

        @Override
        public List<NicSpec> plug(VsiAssignment a) {
            calls.add("plug " + a.getSpec().getName() + " running=" + driver.listRunning().size());
            return List.of(new NicSpec("net0", NetNames.tap(a.getSpec().getName(), 0), a.getSpec().getNics(0).getMac(),
                    1450));
        }

        @Override
        public List<NicSpec> receive(VsiAssignment a, List<HostNetwork> networks) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unplug(String vsi) {
            calls.add("unplug " + vsi + " running=" + driver.listRunning().size());
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        image = Image.newBuilder().setName("default")
                .setKernel(Files.writeString(tmp.resolve("vmlinuz"), "k").toString())
                .setInitrd(Files.writeString(tmp.resolve("initrd.gz"), "i").toString()).build();
        driver = new FakeDriver(tmp.resolve("vms"));
        guests = new GuestMonitors(name -> Optional.empty(), GuestPolicy.DEFAULT, new ManualClock(), (vsi, s) -> { });
    }

    @AfterEach
    void tearDown() {
        guests.close();
    }

    @Test
    void tapsArePluggedBeforeQemuStartsAndUnpluggedOnceItIsGone() {
        Recording networking = new Recording();
        Reconciler reconciler = reconciler(networking);
        reconciler.setDesired(DesiredState.newBuilder().addVsis(withNic("web-1")).build());
        reconciler.reconcileOnce();

        assertThat(driver.specOf("web-1").orElseThrow().nics()).containsExactly(
                new NicSpec("net0", NetNames.tap("web-1", 0), "0a:00:00:64:00:05", 1450));
        reconciler.setDesired(DesiredState.getDefaultInstance());
        reconciler.reconcileOnce();
        assertThat(networking.calls).containsExactly("converge 1", "plug web-1 running=0", "unplug web-1 running=0",
                "converge 0");
    }

    @Test
    void withoutADataPlaneAVsiWithVnicsFailsWithTheReasonAndIsNeverStarted() {
        Reconciler reconciler = reconciler(new NoNetworking("--overlay=off"));
        reconciler.setDesired(DesiredState.newBuilder().addVsis(withNic("web-1")).addVsis(assignment("plain")).build());
        for (int pass = 0; pass < 5; pass++) {
            reconciler.reconcileOnce();
        }
        assertThat(driver.listRunning()).extracting(h -> h.name()).containsExactly("plain");
        VsiStatus web = reconciler.statuses().stream().filter(s -> s.getName().equals("web-1")).findFirst().orElseThrow();
        assertThat(web.getState()).isEqualTo(Vsi.State.FAILED);
        assertThat(web.getMessage()).isEqualTo("VSI web-1 has 1 vNIC(s) but this host runs no tenant-network data plane"
                + " (overlay off: --overlay=off)");
        assertThat(web.getRestarts()).isZero();
    }

    @Test
    void beneathTheFakeDriverVnicsAreNamedButNothingIsMade() {
        Reconciler reconciler = reconciler(new SimulatedNetworking());
        reconciler.setDesired(DesiredState.newBuilder().addVsis(withNic("web-1"))
                .addNetworks(HostNetwork.newBuilder().setVni(100).setMtu(1400)).build());
        reconciler.reconcileOnce();
        assertThat(driver.specOf("web-1").orElseThrow().nics()).containsExactly(
                new NicSpec("net0", NetNames.tap("web-1", 0), "0a:00:00:64:00:05", 1400));
    }

    private Reconciler reconciler(VsiNetworking networking) {
        return new Reconciler(driver, new LaunchSpecs(new ImageFiles(tmp), Accelerator.TCG,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE), RestartPolicy.DEFAULT, () -> { },
                name -> false, guests, networking);
    }

    private VsiAssignment assignment(String name) {
        return VsiAssignment.newBuilder().setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1).setMemoryMib(128))
                .setDesired("RUNNING").setImage(image).build();
    }

    private VsiAssignment withNic(String name) {
        VsiAssignment a = assignment(name);
        return a.toBuilder().setSpec(a.getSpec().toBuilder().addNics(io.hvfabric.proto.v1.NicSpec.newBuilder()
                .setNetwork("a").setVni(100).setMac("0a:00:00:64:00:05").setIp("10.0.0.5"))).build();
    }
}
