package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PostcopySupportTest {
    @TempDir
    Path tmp;

    @Test
    void rootQemuAlwaysHasUserfaultfd() {
        assertThat(PostcopySupport.available(Optional.empty(), tmp.resolve("missing"))).isTrue();
    }

    @Test
    void unprivilegedQemuNeedsTheSysctl() throws Exception {
        Path sysctl = tmp.resolve("unprivileged_userfaultfd");
        Files.writeString(sysctl, "0\n");
        assertThat(PostcopySupport.available(Optional.of("hvfabric-qemu"), sysctl)).isFalse();
        Files.writeString(sysctl, "1\n");
        assertThat(PostcopySupport.available(Optional.of("hvfabric-qemu"), sysctl)).isTrue();
        assertThat(PostcopySupport.available(Optional.of("hvfabric-qemu"), tmp.resolve("missing"))).isFalse();
    }
}
