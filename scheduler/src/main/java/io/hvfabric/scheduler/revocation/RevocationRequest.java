package io.hvfabric.scheduler.revocation;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.scheduler.store.Times;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * A RevokeCertificate request, checked: the serial to refuse, and what the certificate's PEM (when given) tells
 * beside it, so the deny list shows whose certificate it was and until when it would have been valid.
 */
public record RevocationRequest(CertificateSerial serial, String subject, Optional<Instant> notAfter, String reason) {
    public static final int MAX_REASON = 200;
    /** A fabric certificate is under 1 KiB of PEM; a chain or a bundle is not what this call takes. */
    public static final int MAX_PEM = 16 * 1024;

    /** INVALID_ARGUMENT naming the field and the rule for anything that names no certificate. */
    public static RevocationRequest of(RevokeCertificateRequest request) {
        String reason = FieldRules.printableAscii("reason", request.getReason(), MAX_REASON);
        return switch (request.getCertificateCase()) {
            case SERIAL -> new RevocationRequest(CertificateSerial.parse("serial", request.getSerial()), "",
                    Optional.empty(), reason);
            case PEM -> {
                X509Certificate certificate = parse(request.getPem());
                yield new RevocationRequest(CertificateSerial.of(certificate),
                        certificate.getSubjectX500Principal().getName(),
                        Optional.of(certificate.getNotAfter().toInstant()), reason);
            }
            case CERTIFICATE_NOT_SET -> throw FabricException.invalidArgument("certificate",
                    "must name the certificate: its PEM (pem) or its serial number (serial)");
        };
    }

    /**
     * The serial {@code request} names, for the audit log: canonical hex, or empty when the request names none it
     * could revoke (the call is refused then, and recorded as such).
     */
    public static String serialNamed(RevokeCertificateRequest request) {
        try {
            return of(request).serial().hex();
        } catch (FabricException e) {
            return "";
        }
    }

    /** The deny-list record of this revocation, as {@code by} asked for it at {@code at} on {@code replica}. */
    public RevokedCertificate record(Peer by, Instant at, String replica) {
        RevokedCertificate.Builder record = RevokedCertificate.newBuilder()
                .setSerial(serial.hex())
                .setSubject(subject)
                .setReason(reason)
                .setRevokedBy(AuditPrincipal.newBuilder().setRole(by.role()).setName(by.name()).setTenant(by.tenant()))
                .setRevokedAt(Times.timestamp(at))
                .setReplica(replica);
        notAfter.ifPresent(expiry -> record.setNotAfter(Times.timestamp(expiry)));
        return record.build();
    }

    private static X509Certificate parse(String pem) {
        if (pem.length() > MAX_PEM) {
            throw FabricException.invalidArgument("pem", "must be at most %d characters, one certificate (got %d)",
                    MAX_PEM, pem.length());
        }
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw FabricException.invalidArgument("pem", "must be a PEM X.509 certificate (-----BEGIN CERTIFICATE-----)"
                    + "; a key or a request is no certificate");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | ClassCastException e) {
            throw FabricException.invalidArgument("pem", "must be a PEM X.509 certificate; it does not parse");
        }
    }
}
