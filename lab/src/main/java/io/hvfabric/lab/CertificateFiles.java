package io.hvfabric.lab;

import java.nio.file.Path;

/** The PEM files a lab client presents: the lab CA to trust, and its own certificate and key. */
record CertificateFiles(Path ca, Path certificate, Path key) {}
