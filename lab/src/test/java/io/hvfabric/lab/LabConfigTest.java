package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LabConfigTest {
    private static final RepoLayout REPO = new RepoLayout(Path.of("/repo"));

    private static LabConfig.Builder valid() {
        return LabConfig.builder().repo(REPO).dir(Path.of("/tmp/x/../lab"));
    }

    @Test
    void defaultsAndNormalisation() {
        LabConfig c = valid().build();
        assertThat(c.hosts()).isEqualTo(3);
        assertThat(c.name()).isEqualTo("lab");
        assertThat(c.dir()).isEqualTo(Path.of("/tmp/lab"));
        assertThat(c.network()).isEqualTo(NetworkMode.AUTO);
        assertThat(c.readyTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.agentArgs()).isEmpty();
    }

    @Test
    void hostsOutOfRangeNameTheFieldAndRule() {
        assertThatThrownBy(() -> valid().hosts(0).build()).hasMessage("hosts: must be between 1 and 240, got 0");
        assertThatThrownBy(() -> valid().hosts(241).build()).hasMessageStartingWith("hosts: must be between 1 and 240");
    }

    @Test
    void subnetDirAndTimeoutAreValidated() {
        assertThatThrownBy(() -> valid().subnet(251).build()).hasMessageStartingWith("subnet: must be between 1 and 250");
        assertThatThrownBy(() -> valid().dir(Path.of("/")).build()).hasMessageStartingWith("dir: must not be the filesystem root");
        assertThatThrownBy(() -> valid().readyTimeout(Duration.ZERO).build()).hasMessageStartingWith("readyTimeout: must be positive");
        assertThatThrownBy(() -> valid().name("toolong").build()).hasMessageStartingWith("name:");
    }

    @Test
    void agentArgsAreKeptInOrder() {
        assertThat(valid().agentArgs(List.of("--driver", "fake")).build().agentArgs()).containsExactly("--driver", "fake");
    }
}
