package io.hvfabric.common.tls;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tenant of a tenant certificate, in a SPIFFE-style URI SAN: {@code spiffe://hvfabric/tenant/<tenant>/user/<CN>}.
 * A URI SAN rather than a second subject attribute: the subject's O is already the fabric's ({@code O=hvfabric}),
 * and one URI binds tenant and user together, so a certificate cannot pair one user with another's tenant. The CA
 * (hvctl ca issue --role tenant) writes the same form; keep the two in step.
 */
public final class TenantUri {
    public static final String TRUST_DOMAIN = "hvfabric";
    private static final Pattern URI = Pattern.compile(
            "spiffe://" + TRUST_DOMAIN + "/tenant/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)/user/([A-Za-z0-9][A-Za-z0-9._-]{0,62})");

    private TenantUri() {}

    public static String of(String tenant, String user) {
        return "spiffe://" + TRUST_DOMAIN + "/tenant/" + tenant + "/user/" + user;
    }

    /** The tenant {@code uri} names for {@code user}; empty if it is not a tenant URI or names another user. */
    public static Optional<String> tenantOf(String uri, String user) {
        Matcher m = URI.matcher(uri);
        if (!m.matches() || !m.group(3).equals(user)) {
            return Optional.empty();
        }
        return Optional.of(m.group(1));
    }
}
