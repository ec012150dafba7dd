package io.hvfabric.cli.ca;

import java.nio.file.Path;
import java.security.cert.X509Certificate;

/** Files written by {@link FabricCa#issue}: the certificate, its private key, and the CA to trust. */
public record IssuedCertificate(X509Certificate certificate, Path certificateFile, Path keyFile, Path caCertificateFile) {}
