package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostAccountsTest {
    private static final VsiIdRange RANGE = new VsiIdRange(200_000, 265_535);

    @TempDir
    Path etc;

    @BeforeEach
    void ordinaryHost() throws Exception {
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                + "alice:x:1000:1000::/home/alice:/bin/bash\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nalice:x:1000:\n");
        Files.writeString(etc.resolve("subuid"), "alice:100000:65536\n");
        // no subgid file at all
    }

    @Test
    void anOrdinaryHostLeavesTheDefaultRangeFree() {
        assertThat(HostAccounts.overlap(RANGE, etc)).isEmpty();
        HostAccounts.requireDisjoint(RANGE, etc);
    }

    @Test
    void aUserOrGroupInsideTheRangeIsNamed() throws Exception {
        Files.writeString(etc.resolve("group"), "svc:x:200010:\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(HostAccounts.overlap(RANGE, etc)).contains("group svc (id 200010) in " + etc.resolve("group"));

        Files.writeString(etc.resolve("passwd"), "bob:x:265535:100::/home/bob:/bin/sh\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(HostAccounts.overlap(RANGE, etc)).contains("user bob (id 265535) in " + etc.resolve("passwd"));
    }

    /** Ids are looked up by number; a local name that reads as one would be found instead. */
    @Test
    void anAccountNamedLikeAnIdOfTheRangeIsRefusedToo() throws Exception {
        Files.writeString(etc.resolve("passwd"), "200005:x:1001:1001::/home/x:/bin/sh\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThat(HostAccounts.overlap(RANGE, etc)).contains("user 200005 (id 1001) in " + etc.resolve("passwd"));
    }

    @Test
    void aSubordinateRangeReachingIntoTheRangeIsRefusedAtStart() throws Exception {
        Files.writeString(etc.resolve("subgid"), "alice:100000:65536\nbob:165536:65536\n");

        assertThatThrownBy(() -> HostAccounts.requireDisjoint(RANGE, etc))
                .isInstanceOfSatisfying(FabricException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("--vsi-uid-range")
                .hasMessageContaining("bob's subordinate ids 165536-231071 in " + etc.resolve("subgid"));
        assertThat(HostAccounts.overlap(new VsiIdRange(231_072, 300_000), etc)).isEmpty();
    }
}
