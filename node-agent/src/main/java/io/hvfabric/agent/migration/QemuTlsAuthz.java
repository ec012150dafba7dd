package io.hvfabric.agent.migration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code authz-simple} object a migration target's QEMU checks the connecting source against (migration
 * parameter {@code tls-authz}): the one distinguished name of the expected source host's migration certificate.
 * {@code verify-peer} alone admits any certificate of the fabric CA (another host's, an agent's, an operator's), so
 * without it whoever connects first could feed the target a guest of its choosing.
 */
public final class QemuTlsAuthz {
    private static final Pattern HOST_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final String objectId;
    private final String identity;

    private QemuTlsAuthz(String objectId, String identity) {
        this.objectId = objectId;
        this.identity = identity;
    }

    /**
     * Admits only the migration certificate of {@code sourceHostId}.
     *
     * @throws IllegalArgumentException the host id is not a DNS label (the field is named: source_host_id)
     */
    public static QemuTlsAuthz migrationSource(String objectId, String sourceHostId) {
        if (sourceHostId == null || !HOST_ID.matcher(sourceHostId).matches()) {
            throw new IllegalArgumentException("source_host_id must name the source host (a DNS label) when tls is "
                    + "set, got '" + sourceHostId + "'");
        }
        return new QemuTlsAuthz(objectId, migrationCertificateDn(sourceHostId));
    }

    /**
     * The string QEMU compares: GnuTLS's {@code gnutls_x509_crt_get_dn}, which lists the subject's RDNs in the order
     * the certificate encodes them (not RFC 4514's reversed order), and the fabric CA encodes O, OU, CN
     * ({@code CertificateIssuer}). A host id is a DNS label, so nothing needs escaping.
     */
    static String migrationCertificateDn(String hostId) {
        return "O=hvfabric,OU=migration,CN=" + hostId;
    }

    /** Arguments of QMP {@code object-add}. */
    public Map<String, Object> objectAddArguments() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("qom-type", "authz-simple");
        args.put("id", objectId);
        args.put("identity", identity);
        return args;
    }

    public String objectId() {
        return objectId;
    }

    public String identity() {
        return identity;
    }
}
