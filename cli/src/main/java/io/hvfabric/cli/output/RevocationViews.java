package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.RevokeCertificateResponse;
import io.hvfabric.proto.v1.RevokedCertificate;
import java.time.Instant;
import java.util.List;

/** The deny list as operators read it: one line for a revocation, a table for the list. */
public final class RevocationViews {
    private RevocationViews() {}

    /** "revoked certificate serial 5a3f (CN=alice,...)", or when it was revoked before, by whom and when. */
    public static String revoked(RevokeCertificateResponse answer, Instant now) {
        RevokedCertificate r = answer.getRevoked();
        String subject = r.getSubject().isEmpty() ? "" : " (" + r.getSubject() + ")";
        if (answer.getAlreadyRevoked()) {
            return "certificate serial " + r.getSerial() + subject + " was already revoked "
                    + Timestamps.withAge(r.getRevokedAt(), now) + " by " + AuditViews.principal(r.getRevokedBy()) + "\n";
        }
        return "revoked certificate serial " + r.getSerial() + subject + "\n";
    }

    public static String list(List<RevokedCertificate> certificates, Instant now) {
        Table table = new Table("SERIAL", "SUBJECT", "REVOKED", "BY", "REASON");
        for (RevokedCertificate r : certificates) {
            table.row(r.getSerial(), r.getSubject().isEmpty() ? "-" : r.getSubject(),
                    Timestamps.withAge(r.getRevokedAt(), now), AuditViews.principal(r.getRevokedBy()),
                    r.getReason().isEmpty() ? "-" : r.getReason());
        }
        return table.render();
    }
}
