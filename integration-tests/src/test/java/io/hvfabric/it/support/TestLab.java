package io.hvfabric.it.support;

import io.hvfabric.lab.Lab;
import io.hvfabric.lab.LabConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts a lab for one test class through the same launcher operators use, under a unique short name so leftovers
 * of other runs never collide, and always tears it down (sweeping by name if {@code up} itself failed).
 */
public final class TestLab implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final Lab lab;

    private TestLab(String name, Path dir, Lab lab) {
        this.name = name;
        this.dir = dir;
        this.lab = lab;
    }

    public static TestLab up(int hosts, List<String> agentArgs) throws IOException {
        String name = "t" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
        Path dir = Files.createDirectories(Path.of("target", "lab-" + name)).toAbsolutePath();
        // Names the test class, so bin/test can show this lab's logs when that class fails.
        Files.writeString(dir.resolve("owner"), StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .getCallerClass().getSimpleName() + "\n");
        try {
            Lab lab = Lab.up(LabConfig.builder()
                    .hosts(hosts)
                    .dir(dir)
                    .name(name)
                    .agentArgs(agentArgs)
                    .readyTimeout(Duration.ofSeconds(180))
                    .build());
            return new TestLab(name, dir, lab);
        } catch (RuntimeException e) {
            Lab.sweep(dir, name);
            throw e;
        }
    }

    public Lab lab() {
        return lab;
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public Hvctl hvctl() {
        return new Hvctl(lab.hvctlEnvironment(), dir);
    }

    @Override
    public void close() {
        lab.down();
    }
}
