package io.hvfabric.bench;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table built row by row; printed as the benchmarks' result. */
public final class MarkdownTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public MarkdownTable(String... header) {
        this.header = List.of(header);
    }

    public MarkdownTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("cells: expected " + header.size() + ", got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(c instanceof Double d ? String.format("%.1f", d) : String.valueOf(c));
        }
        rows.add(row);
        return this;
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        line(out, header);
        line(out, header.stream().map(h -> "---").toList());
        rows.forEach(r -> line(out, r));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |").append(System.lineSeparator());
    }
}
