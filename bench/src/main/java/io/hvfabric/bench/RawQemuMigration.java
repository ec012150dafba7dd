package io.hvfabric.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The peer baseline for a live migration: two bare QEMUs (TCG, qemu64, pc-q35-7.2, the same image and kernel
 * arguments as the VSI), the source in one host's namespace and the target ({@code -incoming defer}, then
 * {@code migrate-incoming tcp:IP:PORT}) in the other's, migrated with plain QMP {@code migrate} and polled with
 * {@code query-migrate}; over plain TCP, or TLS with one stream or multifd channels (the {@link Transport}). Both
 * QEMUs and the temp dir are always removed.
 */
final class RawQemuMigration {
    /** The bandwidth cap lifted: QEMU's max-bandwidth in bytes/s, far above any link here. */
    static final long UNCAPPED_BYTES_PER_S = 100L << 30;
    static final long DOWNTIME_LIMIT_MS = 300;

    record Host(Optional<String> namespace, String address) {}

    /**
     * How the stream travels: plain TCP or TLS ({@code tlsDir} a {@link RawTlsCredentials} directory), in one stream
     * ({@code multifdChannels} 0) or in that many multifd channels.
     */
    record Transport(Optional<Path> tlsDir, int multifdChannels) {
        static final Transport PLAIN = new Transport(Optional.empty(), 0);

        static Transport tls(Path dir, int multifdChannels) {
            return new Transport(Optional.of(dir), multifdChannels);
        }
    }

    /** QEMU's own figures; status is completed, failed, or "timeout" when cancelled at the time limit. */
    record Result(String status, long totalMs, long downtimeMs, long transferredBytes, long rounds, boolean guestContinued) {}

    private final Path imageDir;
    private int nextPort = 49_300;

    RawQemuMigration(Path imageDir) {
        this.imageDir = imageDir;
    }

    /** @param uncapped lift the bandwidth cap (downtime-limit 300 ms); false keeps every QEMU default */
    Result run(Host source, Host target, long memoryMib, String kernelArgs, boolean uncapped, long timeoutMs)
            throws IOException, InterruptedException {
        return run(source, target, memoryMib, kernelArgs, uncapped, Transport.PLAIN, timeoutMs);
    }

    Result run(Host source, Host target, long memoryMib, String kernelArgs, boolean uncapped, Transport transport,
               long timeoutMs) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("hvf-raw-mig-");
        int port = nextPort++;
        List<Process> qemus = new ArrayList<>();
        try {
            String cmdline = "console=ttyS0 panic=-1 quiet " + kernelArgs;
            String uri = "tcp:" + target.address() + ":" + port;
            qemus.add(start(target, dir, "dst", memoryMib, cmdline, transport, "server", true));
            qemus.add(start(source, dir, "src", memoryMib, cmdline, transport, "client", false));
            try (Qmp dst = Qmp.connect(dir.resolve("dst.qmp"), 10_000)) {
                configure(dst, transport, false);
                dst.execute("migrate-incoming", Qmp.args().put("uri", uri));
            }
            long bootDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            awaitText(dir.resolve("src.console"), "hvf-tick", bootDeadline, 0);
            try (Qmp src = Qmp.connect(dir.resolve("src.qmp"), 10_000)) {
                configure(src, transport, uncapped);
                src.execute("migrate", Qmp.args().put("uri", uri));
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                while (true) {
                    JsonNode m = src.execute("query-migrate", null);
                    String status = m.path("status").asText();
                    if (status.equals("completed") || status.equals("failed")) {
                        long targetTicksFrom = Files.size(dir.resolve("dst.console"));
                        boolean continued = status.equals("completed") && awaitTextQuietly(dir.resolve("dst.console"),
                                "hvf-tick", System.nanoTime() + TimeUnit.SECONDS.toNanos(5), targetTicksFrom);
                        return result(status, m, continued);
                    }
                    if (System.nanoTime() > deadline) {
                        src.execute("migrate_cancel", null);
                        return result("timeout", m, false);
                    }
                    Thread.sleep(50);
                }
            }
        } finally {
            for (Process p : qemus) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The same capabilities and parameters on both ends; the bandwidth cap and downtime limit matter on the source. */
    private static void configure(Qmp qmp, Transport transport, boolean uncapped) throws IOException {
        if (transport.multifdChannels() > 0) {
            qmp.execute("migrate-set-capabilities", Qmp.args().set("capabilities", Qmp.array()
                    .add(Qmp.args().put("capability", "multifd").put("state", true))));
            qmp.execute("migrate-set-parameters", Qmp.args().put("multifd-channels", transport.multifdChannels()));
        }
        if (transport.tlsDir().isPresent()) {
            qmp.execute("migrate-set-parameters", Qmp.args().put("tls-creds", "tls0"));
        }
        if (uncapped) {
            qmp.execute("migrate-set-parameters", Qmp.args().put("max-bandwidth", UNCAPPED_BYTES_PER_S)
                    .put("downtime-limit", DOWNTIME_LIMIT_MS));
        }
    }

    private static Result result(String status, JsonNode m, boolean continued) {
        JsonNode ram = m.path("ram");
        return new Result(status, m.path("total-time").asLong(), m.path("downtime").asLong(-1),
                ram.path("transferred").asLong(), ram.path("dirty-sync-count").asLong(), continued);
    }

    private Process start(Host host, Path dir, String role, long memoryMib, String cmdline, Transport transport,
                          String tlsEndpoint, boolean incoming) throws IOException {
        List<String> argv = new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-no-user-config",
                "-display", "none", "-machine", "pc-q35-7.2", "-accel", "tcg", "-cpu", "qemu64", "-smp", "1",
                "-m", memoryMib + "M", "-kernel", imageDir.resolve("vmlinuz").toString(),
                "-initrd", imageDir.resolve("initrd.gz").toString(), "-append", cmdline,
                "-chardev", "file,id=ser0,path=" + dir.resolve(role + ".console"), "-serial", "chardev:ser0",
                "-qmp", "unix:" + dir.resolve(role + ".qmp") + ",server=on,wait=off"));
        transport.tlsDir().ifPresent(tls -> argv.addAll(List.of("-object", "tls-creds-x509,id=tls0,dir=" + tls
                + ",endpoint=" + tlsEndpoint + ",verify-peer=on")));
        if (incoming) {
            argv.addAll(List.of("-incoming", "defer"));
        }
        return new ProcessBuilder(NetnsCommand.in(host.namespace(), argv)).redirectErrorStream(true)
                .redirectOutput(dir.resolve(role + ".log").toFile()).start();
    }

    private static void awaitText(Path file, String text, long deadline, long fromByte) throws IOException, InterruptedException {
        if (!awaitTextQuietly(file, text, deadline, fromByte)) {
            throw new IOException("no '" + text + "' in " + file + " in time");
        }
    }

    private static boolean awaitTextQuietly(Path file, String text, long deadline, long fromByte)
            throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                byte[] all = Files.readAllBytes(file);
                int from = (int) Math.min(fromByte, all.length);
                if (new String(all, from, all.length - from, StandardCharsets.UTF_8).contains(text)) {
                    return true;
                }
            }
            Thread.sleep(100);
        }
        return false;
    }
}
