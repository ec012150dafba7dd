package io.hvfabric.cli.cds;

import io.hvfabric.cli.Hvctl;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The workload the build records (-XX:DumpLoadedClassList) to make hvctl's class-data-sharing archive: help, the
 * CA, calls over mutual TLS to a {@link LoopbackScheduler} (table and JSON output, a refusal) and one to a closed
 * port. A call that only reached a closed port left out about 370 of the classes a real call loads (the handshake,
 * certificate path validation, HTTP/2 frames, the answer), which cost a tenth of a second per call.
 * Usage: CdsTraining DIR (a directory for throwaway certificates).
 */
public final class CdsTraining {
    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        String tls = dir.toString();
        hvctl("--help");
        hvctl("vsi", "create", "--help");
        hvctl("ca", "init", "--dir", tls, "--force");
        hvctl("ca", "issue", "operator", "--role", "operator", "--dir", tls);
        hvctl("ca", "issue", "scheduler", "--role", "scheduler", "--dir", tls);
        try (LoopbackScheduler scheduler = new LoopbackScheduler(dir.resolve("ca.crt"), dir.resolve("scheduler.crt"),
                dir.resolve("scheduler.key"))) {
            String endpoint = scheduler.endpoint();
            hvctl("--scheduler", endpoint, "--tls-dir", tls, "host", "list");
            hvctl("--scheduler", endpoint, "--tls-dir", tls, "-o", "json", "vsi", "list");
            hvctl("--scheduler", endpoint, "--tls-dir", tls, "vsi", "create", "t", "--vcpus", "1", "--memory", "128");
        }
        hvctl("--scheduler", "127.0.0.1:" + closedPort(), "--tls-dir", tls, "host", "list");
        // Netty's global executor thread would keep the JVM up for its quiet second.
        System.exit(0);
    }

    private static void hvctl(String... args) {
        Hvctl.run(DISCARD, DISCARD, Map.of(), args);
    }

    /** A loopback port nothing listens on: bound, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
