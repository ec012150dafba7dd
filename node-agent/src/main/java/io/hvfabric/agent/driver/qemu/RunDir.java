package io.hvfabric.agent.driver.qemu;

import java.nio.file.Path;

/** Layout of one VSI's run directory, {@code <runRoot>/<name>/}. The agent's only record of a running QEMU. */
record RunDir(Path dir) {
    static RunDir of(Path runRoot, String name) {
        return new RunDir(runRoot.resolve(name));
    }

    /** QMP monitor socket (QEMU listens, the agent connects). */
    Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    /** The guest agent's virtio-serial port (QEMU listens, the agent connects). */
    Path qgaSocket() {
        return dir.resolve("qga.sock");
    }

    /** Written by QEMU's {@code -pidfile}. */
    Path pidFile() {
        return dir.resolve("qemu.pid");
    }

    /** The guest's serial console. */
    Path consoleLog() {
        return dir.resolve("console.log");
    }

    /** QEMU's own stdout/stderr: the reason when a launch fails. */
    Path qemuLog() {
        return dir.resolve("qemu.log");
    }
}
