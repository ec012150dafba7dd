package io.hvfabric.cli.client;

import io.hvfabric.cli.CliException;
import java.util.ArrayList;
import java.util.List;

/** One scheduler replica's gRPC address. */
public record Endpoint(String host, int port) {

    /** Parses {@code HOST:PORT}, with IPv6 literals in brackets: {@code [::1]:7000}. */
    public static Endpoint parse(String text) {
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw malformed(text);
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw malformed(text);
        }
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
            throw malformed(text);
        }
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw malformed(text);
        }
        if (port < 1 || port > 65535) {
            throw CliException.usage("--scheduler: port in '" + text + "' must be between 1 and 65535");
        }
        return new Endpoint(host, port);
    }

    /** Parses a comma-separated list of endpoints, tried in order. */
    public static List<Endpoint> parseList(String text) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw CliException.usage("--scheduler: empty endpoint in '" + text + "' (expected HOST:PORT[,HOST:PORT...])");
            }
            endpoints.add(parse(part));
        }
        return List.copyOf(endpoints);
    }

    private static CliException malformed(String text) {
        return CliException.usage("--scheduler: '" + text + "' is not HOST:PORT");
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
