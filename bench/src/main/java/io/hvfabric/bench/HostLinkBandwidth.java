package io.hvfabric.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Host-to-host TCP bandwidth with iperf3: a one-shot server in one host's namespace, the client in the other's. */
final class HostLinkBandwidth {
    private static final int PORT = 5299;

    private HostLinkBandwidth() {
    }

    /** Bytes per second received by the server over a {@code seconds}-long single-stream test. */
    static double bytesPerSecond(Optional<String> serverNs, String serverIp, Optional<String> clientNs, int seconds)
            throws IOException, InterruptedException {
        Process server = new ProcessBuilder(NetnsCommand.in(serverNs,
                List.of("iperf3", "-s", "-1", "-B", serverIp, "-p", Integer.toString(PORT))))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(500); // let the server bind
            Process client = new ProcessBuilder(NetnsCommand.in(clientNs,
                    List.of("iperf3", "-c", serverIp, "-p", Integer.toString(PORT), "-t", Integer.toString(seconds), "-J")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = client.getInputStream().readAllBytes();
            if (!client.waitFor(seconds + 20L, TimeUnit.SECONDS) || client.exitValue() != 0) {
                client.destroyForcibly();
                throw new IOException("iperf3 client failed: " + new String(out, StandardCharsets.UTF_8));
            }
            JsonNode result = new ObjectMapper().readTree(out);
            double bits = result.path("end").path("sum_received").path("bits_per_second").asDouble();
            if (bits <= 0) {
                throw new IOException("iperf3 reported no received bandwidth: " + new String(out, StandardCharsets.UTF_8));
            }
            return bits / 8;
        } finally {
            server.destroyForcibly();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
