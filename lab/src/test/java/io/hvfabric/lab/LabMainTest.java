package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class LabMainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureErr() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErr() {
        System.setErr(originalErr);
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void invalidNameIsAUsageErrorNamingTheField() {
        assertThat(LabMain.execute("up", "--dir", dir.toString(), "--name", "TooLong")).isEqualTo(LabMain.EXIT_USAGE);
        assertThat(errText()).contains("name: must be 1-5 characters").doesNotContain("Exception");
    }

    @Test
    void unknownNetworkModeIsAUsageError() {
        assertThat(LabMain.execute("up", "--dir", dir.toString(), "--network", "wifi")).isEqualTo(LabMain.EXIT_USAGE);
        assertThat(errText()).contains("network: must be auto, namespaces or loopback");
    }

    @Test
    void statusWithoutALabSaysSo() {
        assertThat(LabMain.execute("status", "--dir", dir.toString())).isEqualTo(LabMain.EXIT_NO_LAB);
        assertThat(errText()).contains("no lab in " + dir);
    }

    @Test
    void missingCommandIsAUsageError() {
        assertThat(LabMain.execute()).isEqualTo(LabMain.EXIT_USAGE);
    }

    @Test
    void agentArgsAreSplitOnSpaces() {
        assertThat(LabMain.Up.split(java.util.List.of("--driver fake", " --x  y "))).containsExactly("--driver", "fake", "--x", "y");
    }
}
