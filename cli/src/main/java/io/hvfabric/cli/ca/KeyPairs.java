package io.hvfabric.cli.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Fabric keys are EC P-256: small, fast, and accepted by Netty, JSSE, BoringSSL and GnuTLS (QEMU). */
final class KeyPairs {
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private KeyPairs() {}

    static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 key generation is unavailable in this JVM", e);
        }
    }
}
