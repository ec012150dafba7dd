package io.hvfabric.bench;

import java.util.HashMap;
import java.util.Map;

/** The benchmarks' few flags: --name value or --name (true); unknown flags are refused by name. */
final class Flags {
    private final Map<String, String> values = new HashMap<>();

    Flags(String[] args, String... known) {
        java.util.Set<String> allowed = java.util.Set.of(known);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !allowed.contains(a.substring(2))) {
                throw new IllegalArgumentException(a + ": unknown argument (known: --" + String.join(", --", known) + ")");
            }
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            values.put(a.substring(2), hasValue ? args[++i] : "true");
        }
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback, int min) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new IllegalArgumentException("--" + name + ": must be at least " + min + " (got " + n + ")");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": must be an integer (got '" + v + "')");
        }
    }

    boolean bool(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }
}
