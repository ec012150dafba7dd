package io.hvfabric.common.tls;

/** Roles carried as the OU of fabric certificates. */
public final class Roles {
    public static final String SCHEDULER = "scheduler";
    public static final String AGENT = "agent";
    public static final String OPERATOR = "operator";
    /** A host's live-migration certificate, handed to its QEMUs; no gRPC service of the fabric accepts it. */
    public static final String MIGRATION = "migration";
    /** A tenant's user: its certificate also names the tenant ({@link TenantUri}). */
    public static final String TENANT = "tenant";

    private Roles() {}
}
