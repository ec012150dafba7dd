package io.hvfabric.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void alignsColumnsWithoutTrailingSpaces() {
        String text = new Table("ID", "STATE", "NOTE").row("h1", "READY", "").row("host-22", "DOWN", "lease lost").render();

        assertThat(text).isEqualTo(
                "ID       STATE  NOTE\n"
                + "h1       READY\n"
                + "host-22  DOWN   lease lost\n");
    }

    @Test
    void rowWidthMustMatchTheHeader() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyValueBlockAlignsValuesAndSkipsEmptyOnes() {
        String text = new KeyValueBlock().add("id", "h1").add("admin state", "").add("membership", "reachable").render();

        assertThat(text).isEqualTo("id:          h1\nmembership:  reachable\n");
    }
}
