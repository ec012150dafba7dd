package io.hvfabric.agent;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which cgroup hierarchy this host offers for per-VSI limits: "v2", "v1" or "none". */
final class CgroupSupport {
    private CgroupSupport() {}

    static String detect() {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return "v2";
        }
        if (Files.isWritable(root.resolve("cpu")) && Files.isWritable(root.resolve("memory"))) {
            return "v1";
        }
        return "none";
    }
}
