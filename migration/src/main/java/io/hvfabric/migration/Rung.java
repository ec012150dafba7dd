package io.hvfabric.migration;

import java.util.Arrays;

/** A step of the convergence ladder, named as it appears in {@code Migration.rung} and progress samples. */
public enum Rung {
    PRECOPY("precopy"),
    MULTIFD("multifd"),
    AUTO_CONVERGE("auto-converge"),
    POSTCOPY("postcopy"),
    ABORT("abort");

    private final String wireName;

    Rung(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** @throws IllegalArgumentException naming the accepted names */
    public static Rung fromWireName(String name) {
        return Arrays.stream(values())
                .filter(r -> r.wireName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("rung must be one of "
                        + Arrays.stream(values()).map(Rung::wireName).toList() + ", got '" + name + "'"));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
