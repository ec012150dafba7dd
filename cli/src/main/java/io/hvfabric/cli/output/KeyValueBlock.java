package io.hvfabric.cli.output;

import java.util.ArrayList;
import java.util.List;

/** "key:  value" lines with the values aligned; empty values are skipped to keep the block concise. */
public final class KeyValueBlock {
    private final List<String[]> entries = new ArrayList<>();

    public KeyValueBlock add(String key, Object value) {
        String text = value == null ? "" : value.toString();
        if (!text.isEmpty()) {
            entries.add(new String[] {key, text});
        }
        return this;
    }

    public String render() {
        int width = entries.stream().mapToInt(e -> e[0].length()).max().orElse(0) + 1;
        StringBuilder text = new StringBuilder();
        for (String[] entry : entries) {
            text.append(String.format("%-" + (width + 2) + "s%s%n", entry[0] + ":", entry[1]));
        }
        return text.toString();
    }
}
