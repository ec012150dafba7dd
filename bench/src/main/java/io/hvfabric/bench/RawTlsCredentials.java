package io.hvfabric.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA and one certificate (serverAuth + clientAuth, both hosts' IPs) laid out as QEMU's
 * {@code tls-creds-x509} directory wants it, so the raw QEMU baseline encrypts its stream like the fabric does: ECDSA
 * P-256 keys, as the fabric CA issues them, so the handshake and the cipher GnuTLS negotiates are the same. Made once
 * per bench run with Debian's openssl; the caller removes the directory.
 */
final class RawTlsCredentials {
    private RawTlsCredentials() {
    }

    static Path create(Path dir, List<String> ipAddresses) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "1", "-subj", "/CN=hvf-bench-raw-ca", "-keyout", "ca-key.pem", "-out", "ca-cert.pem");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=hvf-bench-raw-host", "-keyout", "server-key.pem", "-out", "host.csr");
        Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=" + String.join(",",
                ipAddresses.stream().map(ip -> "IP:" + ip).toList())
                + "\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature\n");
        openssl(dir, "x509", "-req", "-in", "host.csr", "-CA", "ca-cert.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-days", "1", "-extfile", "ext.cnf", "-out", "server-cert.pem");
        // One pair serves both ends, as the fabric's migration certificates do.
        Files.copy(dir.resolve("server-cert.pem"), dir.resolve("client-cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(dir.resolve("server-key.pem"), dir.resolve("client-key.pem"), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
