package io.hvfabric.lab;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kinds of processes a lab runs. */
public enum ComponentKind {
    ETCD,
    SCHEDULER,
    AGENT;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ComponentKind fromLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
