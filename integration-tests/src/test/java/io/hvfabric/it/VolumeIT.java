package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.TestLab;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Local volumes on a real 2-host lab (TCG guests, real qemu-img and QEMU): a tenant's VSI created with a new scratch
 * disk and a named volume sees both as virtio disks of the right size with the volumes' names as serials; a marker
 * written to the named volume survives a stop and start and a delete of the VSI, read back by a new VSI the volume
 * pins to its host; the images are qcow2 files owned by the VSI's uid; refusals (another tenant's volume, an attached
 * volume, delete while attached, live migration of a local disk) change nothing; deletes free the host's reservation
 * and the files.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolumeIT {
    private static final String MARKER = "hvf-volume-marker-4711";
    private static TestLab lab;
    private static Hvctl operator;
    private static String host;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(2, List.of("--accel", "tcg"));
        operator = lab.hvctl();
        lab.lab().issueTenant("alice", "acme");
        lab.lab().issueTenant("bob", "beta");
        operator.ok("tenant", "create", "acme");
        operator.ok("tenant", "create", "beta");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    /** hvctl as {@code user}: the lab's CA and endpoints, the user's certificate instead of the operator's. */
    private static Hvctl.Result as(String user, String... args) {
        Path tls = lab.lab().keyDir(user);
        List<String> all = new ArrayList<>(List.of("--tls-cert", tls.resolve(user + ".crt").toString(),
                "--tls-key", tls.resolve(user + ".key").toString()));
        all.addAll(List.of(args));
        return operator.run(all.toArray(String[]::new));
    }

    private static Hvctl.Result aliceOk(String... args) {
        Hvctl.Result r = as("alice", args);
        assertThat(r.exitCode()).as("hvctl %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    private static Path image(String hostId, String tenant, String volume) {
        return lab.dir().resolve("hosts").resolve(hostId).resolve("volumes").resolve(tenant)
                .resolve(volume + ".qcow2");
    }

    private static long diskAllocatedGib(String hostId) {
        return operator.json("host", "show", hostId).path("allocated").path("diskGib").asLong();
    }

    private static String exec(String vsi, String script) {
        Hvctl.Result r = as("alice", "vsi", "exec", vsi, "--timeout", "30", "--", "/bin/sh", "-c", script);
        assertThat(r.exitCode()).as("exec %s: %s", script, r.err()).isZero();
        return r.out();
    }

    private static void awaitGuestUp(String vsi) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode v = as("alice", "vsi", "show", vsi, "-o", "json").json();
            return v.path("state").asText().equals("RUNNING") && v.path("guest").path("state").asText().equals("UP");
        });
    }

    @Test
    @Order(1)
    void aVsiSeesItsScratchDiskAndItsVolumeWithTheirSizesAndNames() throws Exception {
        JsonNode data = aliceOk("volume", "create", "data", "--size", "32M", "-o", "json").json();
        assertThat(data.path("state").asText()).isEqualTo("AVAILABLE");
        assertThat(data.path("host").asText()).as("no host before the first attach").isEmpty();

        aliceOk("vsi", "create", "vol-1", "--vcpus", "1", "--memory", "192", "--disk", "new:64M", "--disk", "data",
                "--wait");
        JsonNode vsi = as("alice", "vsi", "show", "vol-1", "-o", "json").json();
        host = vsi.path("host").asText();
        assertThat(vsi.path("spec").path("disks")).hasSize(2);
        assertThat(aliceOk("vsi", "show", "vol-1").out()).contains("vol-1-disk0", "64 MiB", "data", "32 MiB");

        JsonNode attached = aliceOk("volume", "show", "data", "-o", "json").json();
        assertThat(attached.path("host").asText()).isEqualTo(host);
        assertThat(attached.path("state").asText()).isEqualTo("ATTACHED");
        assertThat(StreamSupport.stream(attached.path("attachedTo").spliterator(), false).map(JsonNode::asText))
                .containsExactly("vol-1");
        assertThat(diskAllocatedGib(host)).as("64 MiB and 32 MiB, each reserved as a whole GiB").isEqualTo(2);

        String seen = exec("vol-1", "for d in vda vdb; do echo $d $(( $(cat /sys/block/$d/size) * 512 )) "
                + "$(cat /sys/block/$d/serial); done");
        assertThat(seen.lines()).containsExactly("vda 67108864 vol-1-disk0", "vdb 33554432 data");
        // The default image prints each disk on its console at boot, so it can be checked from outside the guest.
        assertThat(aliceOk("vsi", "console", "vol-1").out()).contains("hvf-disk vda 67108864 vol-1-disk0",
                "hvf-disk vdb 33554432 data");

        for (String volume : List.of("vol-1-disk0", "data")) {
            Path file = image(host, "acme", volume);
            assertThat(file).as("the qcow2 image on the VSI's host").exists();
            assertThat(Files.readAllBytes(file)).startsWith((byte) 'Q', (byte) 'F', (byte) 'I', (byte) 0xfb);
            assertThat((Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                    .as("owned by the VSI's uid").isGreaterThanOrEqualTo(200000);
        }
        exec("vol-1", "echo " + MARKER + " | dd of=/dev/vdb bs=512 count=1 conv=sync,fsync 2>/dev/null; sync");
        assertThat(exec("vol-1", "dd if=/dev/vdb bs=512 count=1 2>/dev/null | head -n 1")).contains(MARKER);
    }

    @Test
    @Order(2)
    void refusalsNameTheRuleAndChangeNothing() {
        Hvctl.Result stolen = as("bob", "vsi", "create", "bob-1", "--vcpus", "1", "--memory", "128", "--disk", "data");
        assertThat(stolen.exitCode()).isEqualTo(1);
        assertThat(stolen.err()).contains("volume 'data' in tenant 'beta' not found");
        Hvctl.Result peek = as("bob", "volume", "show", "data", "--tenant", "acme");
        assertThat(peek.err()).contains("volume 'data' in tenant 'acme' not found");

        Hvctl.Result twice = as("alice", "vsi", "create", "vol-2", "--vcpus", "1", "--memory", "128", "--disk", "data");
        assertThat(twice.exitCode()).isEqualTo(1);
        assertThat(twice.err()).contains("volume 'data' in tenant 'acme' is attached to vsi 'vol-1'");

        Hvctl.Result delete = as("alice", "volume", "delete", "data");
        assertThat(delete.exitCode()).isEqualTo(1);
        assertThat(delete.err()).contains("attached to vsi 'vol-1'; delete the VSI first");

        Hvctl.Result migrate = operator.run("vsi", "migrate", "vol-1");
        assertThat(migrate.exitCode()).isEqualTo(1);
        assertThat(migrate.err()).contains("live migration of local disks is not supported yet");

        Hvctl.Result network = as("alice", "volume", "create", "net", "--size", "1G", "--kind", "network");
        assertThat(network.err()).contains("no storage server registered");

        assertThat(operator.json("vsi", "list")).extracting(v -> v.path("name").asText()).containsExactly("vol-1");
        assertThat(operator.json("volume", "list")).extracting(v -> v.path("name").asText())
                .containsExactlyInAnyOrder("data", "vol-1-disk0");
        assertThat(diskAllocatedGib(host)).isEqualTo(2);
    }

    @Test
    @Order(3)
    void theMarkerSurvivesAStopAndStart() {
        aliceOk("vsi", "stop", "vol-1");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                as("alice", "vsi", "show", "vol-1", "-o", "json").json().path("state").asText().equals("STOPPED"));
        assertThat(image(host, "acme", "data")).as("a stop keeps the image").exists();
        aliceOk("vsi", "start", "vol-1");
        awaitGuestUp("vol-1");

        assertThat(exec("vol-1", "dd if=/dev/vdb bs=512 count=1 2>/dev/null | head -n 1")).contains(MARKER);
    }

    @Test
    @Order(4)
    void aDeletedVsiTakesItsScratchDiskAndLeavesTheVolumeWithItsDataOnItsHost() {
        aliceOk("vsi", "delete", "vol-1");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(image(host, "acme", "vol-1-disk0")).as("the scratch image").doesNotExist());
        JsonNode data = aliceOk("volume", "show", "data", "-o", "json").json();
        assertThat(data.path("state").asText()).isEqualTo("AVAILABLE");
        assertThat(data.path("host").asText()).isEqualTo(host);
        assertThat(image(host, "acme", "data")).exists();
        assertThat(diskAllocatedGib(host)).as("the volume stays reserved").isEqualTo(1);
        assertThat(operator.json("volume", "list")).extracting(v -> v.path("name").asText()).containsExactly("data");

        // Pinned to the volume's host, a new VSI reads what the first one wrote.
        aliceOk("vsi", "create", "vol-3", "--vcpus", "1", "--memory", "192", "--disk", "data,readonly", "--wait");
        assertThat(as("alice", "vsi", "show", "vol-3", "-o", "json").json().path("host").asText()).isEqualTo(host);
        assertThat(exec("vol-3", "dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1")).contains(MARKER);
        assertThat(exec("vol-3", "cat /sys/block/vda/ro")).isEqualTo("1\n");
        aliceOk("vsi", "delete", "vol-3");
    }

    @Test
    @Order(5)
    void deletingTheVolumeFreesTheHostsReservationAndItsFile() {
        await().atMost(Duration.ofSeconds(30)).until(() -> operator.json("vsi", "list").isEmpty());
        aliceOk("volume", "delete", "data");

        assertThat(as("alice", "volume", "list", "-o", "json").json()).isEmpty();
        assertThat(diskAllocatedGib(host)).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(image(host, "acme", "data")).doesNotExist());
    }
}
