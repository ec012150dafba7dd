package io.hvfabric.cli.ca;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a fabric certificate is for; decides its extended key usages and default SANs. */
public enum Role {
    SCHEDULER(true),
    AGENT(true),
    OPERATOR(false),
    /**
     * etcd's own certificates: a member's (it serves clients and peers and dials peers) and the etcd users'
     * that no fabric process is, such as {@code root}. The fabric's gRPC services accept no such certificate.
     */
    ETCD(true);

    private final boolean server;

    Role(boolean server) {
        this.server = server;
    }

    /** Schedulers, agents and etcd accept connections as well as make them; operators only connect. */
    public boolean servesTls() {
        return server;
    }

    /** The lowercase name written as the certificate's OU. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text) {
        for (Role role : values()) {
            if (role.label().equalsIgnoreCase(text)) {
                return role;
            }
        }
        throw new IllegalArgumentException("role: must be one of "
                + Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "))
                + ", got '" + text + "'");
    }
}
