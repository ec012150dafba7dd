package io.hvfabric.cli.testing;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hvfabric.cli.Hvctl;
import io.hvfabric.cli.client.ChannelFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fake scheduler served in-process. hvctl reaches it through a channel factory that maps the
 * endpoint "sched:1" to this server; any other endpoint is an in-process name nobody serves, which
 * gRPC reports as UNAVAILABLE just as a closed port would.
 */
public final class InProcessScheduler implements AutoCloseable {
    public static final String ENDPOINT = "sched:1";

    public final FakeOperatorService service = new FakeOperatorService();
    private final String serverName = InProcessServerBuilder.generateName();
    private final Server server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    public InProcessScheduler() throws IOException {
        server = InProcessServerBuilder.forName(serverName).addService(service).build().start();
    }

    public ChannelFactory channels() {
        return (endpoint, security) -> {
            String name = endpoint.toString().equals(ENDPOINT) ? serverName : "nobody-" + endpoint;
            ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
            synchronized (channels) {
                channels.add(channel);
            }
            return channel;
        };
    }

    /** Runs hvctl against this server in plaintext, with the given environment. */
    public CliRun run(Map<String, String> env, String... args) {
        return runWith(channels(), env, args);
    }

    /** Runs hvctl with --scheduler sched:1 --insecure prepended. */
    public CliRun run(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "--scheduler";
        all[1] = ENDPOINT;
        all[2] = "--insecure";
        System.arraycopy(args, 0, all, 3, args.length);
        return run(Map.of(), all);
    }

    public static CliRun runWith(ChannelFactory channels, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Hvctl.run(outStream, errStream, env, channels, args);
        }
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (channels) {
            channels.forEach(ManagedChannel::shutdownNow);
        }
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
