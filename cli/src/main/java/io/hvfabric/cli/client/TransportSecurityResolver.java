package io.hvfabric.cli.client;

import io.hvfabric.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides how to connect from flags and environment. Each of the three TLS files is looked up on
 * its own, first match wins: its flag, --tls-dir, its environment variable, HVCTL_TLS_DIR.
 * Plaintext only when --insecure is given explicitly.
 */
public final class TransportSecurityResolver {
    public static final String ENV_CA = "HVCTL_TLS_CA";
    public static final String ENV_CERT = "HVCTL_TLS_CERT";
    public static final String ENV_KEY = "HVCTL_TLS_KEY";
    public static final String ENV_DIR = "HVCTL_TLS_DIR";
    public static final String DIR_CA = "ca.crt";
    public static final String DIR_CERT = "operator.crt";
    public static final String DIR_KEY = "operator.key";

    private TransportSecurityResolver() {}

    public static TransportSecurity resolve(TlsOptions flags, Map<String, String> env) {
        if (flags.insecure()) {
            if (flags.anyTlsFlag()) {
                throw CliException.usage("--insecure cannot be combined with --tls-ca, --tls-cert, --tls-key or --tls-dir");
            }
            return new TransportSecurity.Plaintext();
        }
        Path envDir = pathFromEnv(env, ENV_DIR);
        Located ca = locate("--tls-ca", flags.ca(), flags.dir(), DIR_CA, env, ENV_CA, envDir);
        Located cert = locate("--tls-cert", flags.certificate(), flags.dir(), DIR_CERT, env, ENV_CERT, envDir);
        Located key = locate("--tls-key", flags.key(), flags.dir(), DIR_KEY, env, ENV_KEY, envDir);
        if (ca == null && cert == null && key == null) {
            throw CliException.usage("no TLS material: pass --tls-dir DIR (holding " + DIR_CA + ", " + DIR_CERT
                    + ", " + DIR_KEY + ") or --tls-ca/--tls-cert/--tls-key, set " + ENV_DIR
                    + ", or pass --insecure for plaintext");
        }
        List<String> missing = new ArrayList<>();
        if (ca == null) missing.add("--tls-ca");
        if (cert == null) missing.add("--tls-cert");
        if (key == null) missing.add("--tls-key");
        if (!missing.isEmpty()) {
            throw CliException.usage("incomplete TLS material: " + String.join(", ", missing)
                    + " missing (mutual TLS needs the CA, a client certificate and its key)");
        }
        for (Located file : List.of(ca, cert, key)) {
            if (!Files.isReadable(file.path())) {
                throw CliException.usage(file.source() + ": " + file.path() + " does not exist or is not readable");
            }
        }
        return new TransportSecurity.MutualTls(ca.path(), cert.path(), key.path());
    }

    private record Located(Path path, String source) {}

    private static Located locate(String flag, Path flagFile, Path flagDir, String dirFile,
            Map<String, String> env, String envName, Path envDir) {
        if (flagFile != null) {
            return new Located(flagFile, flag);
        }
        if (flagDir != null) {
            return new Located(flagDir.resolve(dirFile), "--tls-dir");
        }
        Path envFile = pathFromEnv(env, envName);
        if (envFile != null) {
            return new Located(envFile, envName);
        }
        if (envDir != null) {
            return new Located(envDir.resolve(dirFile), ENV_DIR);
        }
        return null;
    }

    private static Path pathFromEnv(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }
}
