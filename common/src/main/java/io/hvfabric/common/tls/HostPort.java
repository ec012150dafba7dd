package io.hvfabric.common.tls;

import io.hvfabric.common.error.FabricException;

/** A parsed {@code host:port} (IPv6 literals as {@code [::1]:9000}); parse errors name the flag it came from. */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank()) {
            throw FabricException.invalidArgument("host", "must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw FabricException.invalidArgument("port", "must be between 1 and 65535 (got %d)", port);
        }
    }

    /** {@code field} is the flag or setting name to blame in the error, e.g. {@code "--scheduler"}. */
    public static HostPort parse(String field, String value) {
        if (value == null || value.isBlank()) {
            throw FabricException.invalidArgument(field, "must be host:port (got an empty value)");
        }
        String v = value.trim();
        String host;
        String portText;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
                throw FabricException.invalidArgument(field, "must be [ipv6]:port (got '%s')", value);
            }
            host = v.substring(1, close);
            portText = v.substring(close + 2);
        } else {
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1 || v.indexOf(':') != colon) {
                throw FabricException.invalidArgument(field, "must be host:port (got '%s')", value);
            }
            host = v.substring(0, colon);
            portText = v.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw FabricException.invalidArgument(field, "port must be a number (got '%s')", portText);
        }
        if (port < 1 || port > 65535) {
            throw FabricException.invalidArgument(field, "port must be between 1 and 65535 (got %d)", port);
        }
        return new HostPort(host, port);
    }

    /** The form gRPC targets and Pekko addresses use: IPv6 literals bracketed. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
