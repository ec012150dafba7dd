package io.hvfabric.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {
    private final DurationConverter converter = new DurationConverter();

    @Test
    void acceptsUnitsCombinationsBareSecondsAndIso() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("120s")).isEqualTo(Duration.ofSeconds(120));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("15")).isEqualTo(Duration.ofSeconds(15));
        assertThat(converter.convert("PT10S")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void rejectsGarbageAndZero() {
        assertThatThrownBy(() -> converter.convert("soon")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> converter.convert("10x")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> converter.convert("0s")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void memorySizes() {
        MemorySizeConverter memory = new MemorySizeConverter();
        assertThat(memory.convert("512")).isEqualTo(512);
        assertThat(memory.convert("512MiB")).isEqualTo(512);
        assertThat(memory.convert("2G")).isEqualTo(2048);
        assertThat(memory.convert("2GiB")).isEqualTo(2048);
        assertThatThrownBy(() -> memory.convert("lots")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("not a memory size");
    }
}
