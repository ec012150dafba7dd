package io.hvfabric.common.tls;

import io.hvfabric.common.error.FabricException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.regex.Pattern;

/**
 * A certificate's serial number, as the deny list keys it: lowercase hex without leading zeros. The fabric has one
 * CA, so the serial alone names a certificate (the CA draws 127 random bits for each).
 */
public record CertificateSerial(String hex) {
    /** RFC 5280 allows serials of up to 20 octets. */
    public static final int MAX_HEX_DIGITS = 40;
    private static final Pattern CANONICAL = Pattern.compile("-?(0|[1-9a-f][0-9a-f]*)");
    private static final Pattern TYPED = Pattern.compile("[0-9A-Fa-f]+(:[0-9A-Fa-f]+)*");
    private static final String RULE = "must be the serial number in hex: 1-" + MAX_HEX_DIGITS
            + " hex digits, optionally with colons between bytes as openssl prints them";

    public CertificateSerial {
        if (hex == null || !CANONICAL.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a canonical serial: " + hex);
        }
    }

    /** Negative serials break RFC 5280 but exist; they keep their sign, so they never collide with a positive one. */
    public static CertificateSerial of(BigInteger serial) {
        return new CertificateSerial(serial.toString(16));
    }

    public static CertificateSerial of(X509Certificate certificate) {
        return of(certificate.getSerialNumber());
    }

    /**
     * A serial as an operator types it ("5A3F", "5a:3f", "00:5a:3f" are one serial); INVALID_ARGUMENT against
     * {@code field} otherwise.
     */
    public static CertificateSerial parse(String field, String typed) {
        String value = typed == null ? "" : typed.trim();
        String digits = value.replace(":", "");
        // Length first: the pattern never runs on a megabyte of input.
        if (digits.isEmpty() || digits.length() > MAX_HEX_DIGITS || !TYPED.matcher(value).matches()) {
            throw FabricException.invalidArgument(field, RULE + " (got '%s')", value);
        }
        return of(new BigInteger(digits, 16));
    }

    @Override
    public String toString() {
        return hex;
    }
}
