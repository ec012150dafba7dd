package io.hvfabric.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProgressBarTest {
    private static final long MIB = 1024 * 1024;
    private static final long GIB = 1024 * MIB;

    @Test
    void rendersBarPercentAmountsRateAndEta() {
        String line = ProgressBar.render(120 * MIB, 256 * MIB, 1.2 * GIB / 10, 10);

        // 120/256 = 46.9%: four of ten cells, percent rounded down; 136 MiB left at 122.9 MiB/s is 1.1 s, shown as 2s.
        assertThat(line).isEqualTo("[####......] 46% 120/256 MiB 123 MiB/s eta 2s");
    }

    @Test
    void rendersTheExampleFromTheDesign() {
        String line = ProgressBar.render(90 * MIB, 200 * MIB, 1.2 * GIB, 10);

        assertThat(line).isEqualTo("[####......] 45% 90/200 MiB 1.2 GiB/s eta 1s");
    }

    @Test
    void clampsAtCompletionAndBeyond() {
        assertThat(ProgressBar.render(300 * MIB, 256 * MIB, 100 * MIB, 4)).isEqualTo("[####] 100% 256/256 MiB 100 MiB/s eta 0s");
        assertThat(ProgressBar.render(0, 2 * GIB, 0, 4)).isEqualTo("[....] 0% 0/2 GiB");
    }

    @Test
    void unknownTotalShowsTheAmountOnly() {
        assertThat(ProgressBar.render(3 * GIB / 2, 0, 512 * MIB, 4)).isEqualTo("[....] 1.5 GiB 512 MiB/s");
    }

    @Test
    void nonInteractiveStreamGetsOneLinePerUpdate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "web-1", 4);

        bar.update(1 * MIB, 4 * MIB, 0);
        bar.update(4 * MIB, 4 * MIB, 0);
        bar.finish();

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("web-1 [#...] 25% 1/4 MiB\nweb-1 [####] 100% 4/4 MiB\n");
    }

    @Test
    void terminalRedrawsInPlaceAndCoversALongerPreviousLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "", 4);

        bar.update(1 * MIB, 4 * MIB, 2 * MIB);
        bar.update(4 * MIB, 4 * MIB, 0);
        bar.finish();

        String first = "[#...] 25% 1/4 MiB 2 MiB/s eta 2s";
        String second = "[####] 100% 4/4 MiB";
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("\r" + first + "\r" + second + " ".repeat(first.length() - second.length()) + "\n");
    }
}
