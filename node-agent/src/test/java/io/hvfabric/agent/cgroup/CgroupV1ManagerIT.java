package io.hvfabric.agent.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Creates a real v1 cgroup on this host, puts a process in it and removes it again. */
@Timeout(30)
class CgroupV1ManagerIT {
    private static final String PARENT = "hvfabric-it";
    private static final String NAME = "cg-it-" + ProcessHandle.current().pid();

    private final CgroupV1Manager manager = new CgroupV1Manager(CgroupDetector.DEFAULT_ROOT, PARENT);
    private Process sleeper;

    @AfterEach
    void cleanUp() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        manager.remove(NAME);
        Files.deleteIfExists(CgroupDetector.DEFAULT_ROOT.resolve("cpu").resolve(PARENT));
        Files.deleteIfExists(CgroupDetector.DEFAULT_ROOT.resolve("memory").resolve(PARENT));
    }

    @Test
    void processIsConfinedAndCgroupIsRemoved() throws Exception {
        assumeTrue(CgroupDetector.detect(CgroupDetector.DEFAULT_ROOT) == CgroupVersion.V1, "host has no cgroup v1");
        CgroupLimits limits = CgroupLimits.forVm(1, 64, 16L << 20);

        manager.create(NAME, limits);
        sleeper = new ProcessBuilder("sleep", "60").start();
        manager.attach(NAME, sleeper.pid());

        assertThat(manager.readLimits(NAME)).contains(limits);
        assertThat(manager.processes(NAME)).containsExactly(sleeper.pid());
        String membership = Files.readString(Path.of("/proc", Long.toString(sleeper.pid()), "cgroup"));
        assertThat(membership).contains(":cpu:/" + PARENT + "/" + NAME).contains(":memory:/" + PARENT + "/" + NAME);

        sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        manager.remove(NAME);
        assertThat(CgroupDetector.DEFAULT_ROOT.resolve("cpu").resolve(PARENT).resolve(NAME)).doesNotExist();
        assertThat(CgroupDetector.DEFAULT_ROOT.resolve("memory").resolve(PARENT).resolve(NAME)).doesNotExist();
    }
}
