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
     * A tenant's user: a client certificate whose URI SAN names the tenant it acts for ({@link TenantIdentity}), so
     * the schedulers let it see and act on that tenant's VSIs only. Issued with {@link FabricCa#issueTenant}.
     */
    TENANT(false),
    /**
     * etcd's own certificates: a member's (it serves clients and peers and dials peers) and the etcd users'
     * that no fabric process is, such as {@code root}. The fabric's gRPC services accept no such certificate.
     */
    ETCD(true),
    /**
     * The pair a host's QEMUs encrypt live migrations with, the only key the agent hands to QEMU: CN=host id like the
     * agent's own, so a migration target can name the one source it accepts, but a role of its own that no fabric
     * gRPC service accepts, so a key leaked from a guest's run directory cannot act as the agent. QEMU is the TLS
     * server on the target and the client on the source.
     */
    MIGRATION(true);

    private final boolean server;

    Role(boolean server) {
        this.server = server;
    }

    /** Every role but operator and tenant accepts connections as well as makes them; those two only connect. */
    public boolean servesTls() {
        return server;
    }

    /**
     * Certificates reached on this host itself get 127.0.0.1 and localhost too; a migration certificate names only
     * the host's own addresses, as a source checks the target's IP against it.
     */
    public boolean addsLoopbackNames() {
        return server && this != MIGRATION;
    }

    /** The file name, without .crt/.key: a migration pair sits beside the agent pair of the same CN. */
    public String fileStem(String name) {
        return this == MIGRATION ? name + "-" + label() : name;
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
