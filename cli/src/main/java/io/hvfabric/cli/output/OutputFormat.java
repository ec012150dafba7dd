package io.hvfabric.cli.output;

/** What {@code -o} selects: aligned text for people, protobuf JSON for scripts. */
public enum OutputFormat {
    TABLE,
    JSON
}
