package io.hvfabric.agent.driver.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FakeDriverTest {
    private static final Path RUN = Path.of("/run/hvfabric/vms");

    private static VmLaunchSpec spec(String name) {
        return VmLaunchSpec.builder().name(name).kernel(Path.of("/k")).initrd(Path.of("/i")).cmdline("").build();
    }

    @Test
    void startListStopDestroy() {
        FakeDriver driver = new FakeDriver(RUN);
        VmHandle a = driver.start(spec("a"));
        VmHandle b = driver.start(spec("b"));

        assertThat(a.pid()).isNotEqualTo(b.pid());
        assertThat(a.runDir()).isEqualTo(RUN.resolve("a"));
        assertThat(driver.listRunning()).extracting(VmHandle::name).containsExactly("a", "b");
        assertThat(driver.status("a")).isEqualTo(VmStatus.RUNNING);

        driver.stop("a", Duration.ofSeconds(1));
        driver.stop("a", Duration.ofSeconds(1));
        assertThat(driver.status("a")).isEqualTo(VmStatus.STOPPED);
        assertThat(driver.listRunning()).extracting(VmHandle::name).containsExactly("b");
        assertThat(driver.adopt("a")).isEmpty();
        assertThat(driver.adopt("b")).contains(b);

        driver.start(spec("a")); // a stopped VSI can start again
        driver.destroy("a");
        driver.destroy("a");
        assertThat(driver.status("a")).isEqualTo(VmStatus.STOPPED);
        assertThat(driver.consoleLog("b")).isEqualTo(RUN.resolve("b/console.log"));
    }

    @Test
    void duplicateStartIsRejected() {
        FakeDriver driver = new FakeDriver(RUN);
        driver.start(spec("a"));
        assertThatThrownBy(() -> driver.start(spec("a")))
                .isInstanceOfSatisfying(VirtDriverException.class, e -> assertThat(e.kind()).isEqualTo(VirtDriverException.Kind.ALREADY_RUNNING));
    }

    @Test
    void startLatencyGoesThroughTheSleeper() {
        List<Duration> slept = new ArrayList<>();
        FakeDriver driver = new FakeDriver(RUN, Duration.ofMillis(1500), slept::add);
        driver.start(spec("a"));
        assertThat(slept).containsExactly(Duration.ofMillis(1500));
    }

    @Test
    void injectedFaults() {
        FakeDriver driver = new FakeDriver(RUN);
        driver.failNextStart("a", "no memory");
        assertThatThrownBy(() -> driver.start(spec("a"))).hasMessageContaining("no memory");
        driver.start(spec("a"));

        driver.crash("a");
        assertThat(driver.status("a")).isEqualTo(VmStatus.CRASHED);
        driver.vanish("a");
        assertThat(driver.listRunning()).isEmpty();

        driver.start(VmLaunchSpec.builder().name("m").kernel(Path.of("/k")).initrd(Path.of("/i")).cmdline("").incoming("defer").build());
        assertThat(driver.status("m")).isEqualTo(VmStatus.INCOMING);
        driver.completeIncoming("m");
        assertThat(driver.status("m")).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void invalidNamesAreRejected() {
        FakeDriver driver = new FakeDriver(RUN);
        assertThatThrownBy(() -> driver.status("../etc")).hasMessageStartingWith("field 'name': must be a DNS label");
    }
}
