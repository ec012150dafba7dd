package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleLogCapTest {
    private static final long MAX = 1000;

    @TempDir
    Path dir;

    @Test
    void aLogWithinTheBoundIsLeftAlone() throws Exception {
        Path log = Files.writeString(dir.resolve("console.log"), "x".repeat((int) MAX));
        assertThat(ConsoleLogCap.enforce(log, MAX)).isFalse();
        assertThat(Files.size(log)).isEqualTo(MAX);
        assertThat(ConsoleLogCap.enforce(dir.resolve("missing.log"), MAX)).isFalse();
    }

    @Test
    void anOversizedLogKeepsItsNewestPartAside_andQemusAppendsContinueAtTheStart() throws Exception {
        Path log = dir.resolve("console.log");
        // QEMU's view of the file: opened once with O_APPEND (-chardev file,append=on), written for the guest's life.
        try (FileChannel qemu = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            write(qemu, "old-".repeat(200) + "newest-" + "y".repeat(500));
            assertThat(ConsoleLogCap.enforce(log, MAX)).isTrue();

            assertThat(Files.size(log)).isZero();
            String kept = Files.readString(ConsoleLogCap.rotated(log));
            assertThat(kept).hasSize((int) MAX).endsWith("newest-" + "y".repeat(500));
            write(qemu, "after rotation");
            assertThat(Files.readString(log)).isEqualTo("after rotation");
        }
        assertThat(Files.exists(dir.resolve("console.log.1.tmp"))).isFalse();
    }

    @Test
    void theCapOverAllRunningGuestsRotatesEachOversizedLog() throws Exception {
        Path a = Files.writeString(dir.resolve("a.log"), "a".repeat(1500));
        Path b = Files.writeString(dir.resolve("b.log"), "b".repeat(10));
        try (ConsoleLogCap cap = new ConsoleLogCap(() -> List.of(a, b, dir.resolve("gone.log")), MAX)) {
            cap.enforceAll();
        }
        assertThat(Files.size(a)).isZero();
        assertThat(Files.size(ConsoleLogCap.rotated(a))).isEqualTo(MAX);
        assertThat(Files.size(b)).isEqualTo(10);
    }

    @Test
    void linksPlantedInTheRunDirectoryAreNeverFollowed() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "v".repeat(5000));
        Path symlink = Files.createSymbolicLink(dir.resolve("console.log"), victim);
        assertThat(ConsoleLogCap.enforce(symlink, MAX)).isFalse();

        Path hardlink = Files.createLink(dir.resolve("hard.log"), victim);
        assertThatThrownBy(() -> ConsoleLogCap.enforce(hardlink, MAX)).isInstanceOf(IOException.class)
                .hasMessageContaining("hard links");

        Path log = Files.writeString(dir.resolve("real.log"), "r".repeat(5000));
        Files.createSymbolicLink(dir.resolve("real.log.1.tmp"), victim);
        assertThat(ConsoleLogCap.enforce(log, MAX)).isTrue();

        assertThat(Files.readString(victim)).isEqualTo("v".repeat(5000));
        assertThat(Files.isSymbolicLink(ConsoleLogCap.rotated(log))).isFalse();
    }

    private static void write(FileChannel channel, String text) throws IOException {
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }
}
