package io.hvfabric.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * etcdctl against the lab's etcd, presenting one client certificate (none on an --insecure lab's plaintext etcd).
 * The lab administers etcd with the same commands an operator would type.
 */
final class Etcdctl {
    private final String endpoint;
    private final CertificateFiles tls;
    private final CommandRunner shell;

    /** {@code tls} null means plaintext. */
    Etcdctl(String endpoint, CertificateFiles tls, CommandRunner shell) {
        this.endpoint = endpoint;
        this.tls = tls;
        this.shell = shell;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--dial-timeout", "2s",
                "--command-timeout", "5s"));
        if (tls != null) {
            cmd.addAll(List.of("--cacert", tls.ca().toString(), "--cert", tls.certificate().toString(),
                    "--key", tls.key().toString()));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs etcdctl, failing with its stderr when it exits non-zero. */
    String run(String... args) {
        return shell.run(command(args));
    }

    CommandRunner.Result attempt(String... args) {
        return shell.attempt(command(args));
    }
}
