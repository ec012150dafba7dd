package io.hvfabric.common.tls;

/**
 * Who is calling: the client certificate's CN (name), OU (role) and, for a tenant's principal, the tenant its SPIFFE
 * URI SAN names ({@link TenantUri}; empty for every other certificate). Over plaintext ({@code --insecure}) the peer
 * is {@link #INSECURE}, which every role check lets through.
 */
public record Peer(String name, String role, String tenant, boolean insecure) {
    public static final Peer INSECURE = new Peer("insecure", "insecure", "", true);

    public Peer {
        tenant = tenant == null ? "" : tenant;
    }

    public static Peer authenticated(String name, String role) {
        return new Peer(name, role, "", false);
    }

    public static Peer authenticated(String name, String role, String tenant) {
        return new Peer(name, role, tenant, false);
    }

    /** Whether the certificate names a tenant (only {@link Roles#TENANT} certificates are issued with one). */
    public boolean hasTenant() {
        return !tenant.isEmpty();
    }
}
