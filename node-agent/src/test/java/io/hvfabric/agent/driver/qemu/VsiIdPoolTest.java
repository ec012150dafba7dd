package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VsiIdPoolTest {
    private static final VsiIdRange RANGE = new VsiIdRange(200_000, 200_009);

    @TempDir
    Path tmp;
    private Path claims;
    private Path runRoot;
    private final Set<Integer> live = new HashSet<>();

    @BeforeEach
    void setUp() throws Exception {
        claims = tmp.resolve("vsi-ids");
        runRoot = Files.createDirectories(tmp.resolve("vms"));
    }

    private VsiIdPool pool(VsiIdRange range) throws Exception {
        return new VsiIdPool(range, claims, () -> Set.copyOf(live));
    }

    @Test
    void eachRunDirGetsItsOwnIdFromTheRangeAndExistsAfterwards() throws Exception {
        VsiIdPool pool = pool(RANGE);

        int a = pool.acquire(runRoot.resolve("a"));
        int b = pool.acquire(runRoot.resolve("b"));

        assertThat(a).isEqualTo(200_000);
        assertThat(b).isEqualTo(200_001);
        assertThat(runRoot.resolve("a")).isDirectory();
        assertThat(pool.readClaims()).containsEntry(a, runRoot.resolve("a")).containsEntry(b, runRoot.resolve("b"));
        assertThat(Files.getPosixFilePermissions(claims)).hasSize(3); // rwx for root only
    }

    @Test
    void aRunDirKeepsItsIdAcrossStartsAndAcrossAnAgentRestart() throws Exception {
        int a = pool(RANGE).acquire(runRoot.resolve("a"));
        int b = pool(RANGE).acquire(runRoot.resolve("b"));

        VsiIdPool restarted = pool(RANGE); // a new agent: nothing but the claims and the run dirs on disk
        assertThat(restarted.acquire(runRoot.resolve("b"))).isEqualTo(b);
        assertThat(restarted.acquire(runRoot.resolve("a"))).isEqualTo(a);
        assertThat(restarted.acquire(runRoot.resolve("c"))).isNotIn(a, b);
    }

    @Test
    void releaseFreesTheIdAndOnlyThatRunDirsClaim() throws Exception {
        VsiIdPool pool = pool(RANGE);
        int a = pool.acquire(runRoot.resolve("a"));
        int b = pool.acquire(runRoot.resolve("b"));

        Files.delete(runRoot.resolve("a"));
        pool.release(runRoot.resolve("a"));

        assertThat(pool.readClaims()).containsOnlyKeys(b);
        assertThat(pool.acquire(runRoot.resolve("c"))).isEqualTo(a);
        pool.release(runRoot.resolve("never-started")); // holds nothing: harmless
        assertThat(pool.readClaims()).hasSize(2);
    }

    @Test
    void aRunDirRemovedWithoutReleaseFreesItsIdAnyway() throws Exception {
        VsiIdPool pool = pool(RANGE);
        int a = pool.acquire(runRoot.resolve("a"));
        Files.delete(runRoot.resolve("a")); // the agent died between removing the run dir and releasing

        assertThat(pool(RANGE).acquire(runRoot.resolve("b"))).isEqualTo(a);
        assertThat(pool.readClaims()).containsOnly(java.util.Map.entry(a, runRoot.resolve("b")));
    }

    @Test
    void refusesWhenExhaustedNamingTheRange() throws Exception {
        VsiIdPool pool = pool(new VsiIdRange(200_000, 200_001));
        pool.acquire(runRoot.resolve("a"));
        pool.acquire(runRoot.resolve("b"));

        assertThatThrownBy(() -> pool.acquire(runRoot.resolve("c")))
                .isInstanceOfSatisfying(FabricException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
                .hasMessageContaining("--vsi-uid-range 200000-200001")
                .hasMessageContaining("all 2");
        assertThat(runRoot.resolve("c")).doesNotExist();
    }

    @Test
    void neverHandsOutAnIdALiveProcessRunsAs() throws Exception {
        live.add(200_000);
        VsiIdPool pool = pool(RANGE);

        int a = pool.acquire(runRoot.resolve("a"));
        assertThat(a).isEqualTo(200_001);

        // An orphaned QEMU of "a" still runs as its id (its pidfile lost): the next start of "a" takes another.
        live.add(a);
        int again = pool.acquire(runRoot.resolve("a"));
        assertThat(again).isEqualTo(200_002);
        assertThat(pool.readClaims()).containsOnlyKeys(again);
    }

    @Test
    void aRunDirWhoseIdLeftTheRangeGetsOneInside() throws Exception {
        int old = pool(new VsiIdRange(300_000, 300_009)).acquire(runRoot.resolve("a"));

        int now = pool(RANGE).acquire(runRoot.resolve("a"));

        assertThat(old).isEqualTo(300_000);
        assertThat(now).isEqualTo(RANGE.first());
        assertThat(pool(RANGE).readClaims()).containsOnlyKeys(now);
    }

    /** Agents of a lab share the host and its claims directory; so do concurrent starts in one agent. */
    @Test
    void agentsWithTheirOwnRunRootsNeverShareAnId() throws Exception {
        Path rootA = Files.createDirectories(tmp.resolve("agent-a"));
        Path rootB = Files.createDirectories(tmp.resolve("agent-b"));
        VsiIdPool a = pool(new VsiIdRange(200_000, 200_099));
        VsiIdPool b = pool(new VsiIdRange(200_000, 200_099));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "vm" + i;
                ids.add(threads.submit((Callable<Integer>) () -> a.acquire(rootA.resolve(name))));
                ids.add(threads.submit((Callable<Integer>) () -> b.acquire(rootB.resolve(name))));
            }
            Set<Integer> distinct = new HashSet<>();
            for (Future<Integer> id : ids) {
                distinct.add(id.get(10, TimeUnit.SECONDS));
            }
            assertThat(distinct).hasSize(40);
        } finally {
            threads.shutdownNow();
        }
    }
}
