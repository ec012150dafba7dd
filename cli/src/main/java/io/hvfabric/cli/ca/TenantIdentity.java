package io.hvfabric.cli.ca;

import java.util.regex.Pattern;

/**
 * How a tenant certificate names its tenant: the URI SAN {@code spiffe://hvfabric/tenant/<tenant>/user/<CN>}, beside
 * OU=tenant. The schedulers read it back with common's {@code TenantUri} (this module depends on proto only, so the
 * form is written out here too; keep the two in step).
 */
final class TenantIdentity {
    private static final Pattern TENANT = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private TenantIdentity() {}

    /** A tenant name is a DNS label, as the scheduler requires of the tenants it stores. */
    static void requireValidTenant(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant: must be a DNS label (1-63 lowercase letters, digits or '-',"
                    + " starting and ending with a letter or digit), got '" + tenant + "'");
        }
    }

    static String uri(String tenant, String user) {
        return "spiffe://hvfabric/tenant/" + tenant + "/user/" + user;
    }
}
