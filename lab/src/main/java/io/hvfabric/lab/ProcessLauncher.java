package io.hvfabric.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts components detached: in a new session (setsid) so they outlive `lab up` and ignore its terminal,
 * stdin from /dev/null, stdout and stderr appended to the component's log file.
 */
final class ProcessLauncher {
    private final boolean useSetsid;

    ProcessLauncher() {
        this(Platform.isLinux());
    }

    ProcessLauncher(boolean useSetsid) {
        this.useSetsid = useSetsid;
    }

    ComponentRecord start(ComponentSpec spec) {
        List<String> command = new ArrayList<>();
        // setsid execs in place (the child of a JVM is never a group leader), so the pid stays the component's.
        if (useSetsid) {
            command.add("setsid");
        }
        command.addAll(spec.command());
        Path log = Path.of(spec.log());
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "### " + String.join(" ", command) + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
            long pid = p.pid();
            return new ComponentRecord(spec, pid, Processes.startTicks(pid).orElse(0));
        } catch (IOException e) {
            throw new LabException(spec.id() + ": cannot start " + spec.command().get(0) + ": " + e.getMessage(), e);
        }
    }
}
