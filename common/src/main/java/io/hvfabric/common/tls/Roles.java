package io.hvfabric.common.tls;

/** Roles carried as the OU of fabric certificates. */
public final class Roles {
    public static final String SCHEDULER = "scheduler";
    public static final String AGENT = "agent";
    public static final String OPERATOR = "operator";

    private Roles() {}
}
