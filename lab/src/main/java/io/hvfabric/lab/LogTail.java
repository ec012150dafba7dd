package io.hvfabric.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a component's log, for failure messages. */
final class LogTail {
    private LogTail() {}

    static String of(String log, int lines) {
        try {
            List<String> all = Files.readAllLines(Path.of(log), StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return "--- last " + tail.size() + " lines of " + log + " ---" + System.lineSeparator()
                    + String.join(System.lineSeparator(), tail);
        } catch (IOException | RuntimeException e) {
            return "(no log at " + log + ")";
        }
    }
}
