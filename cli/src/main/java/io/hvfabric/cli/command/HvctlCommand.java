package io.hvfabric.cli.command;

import io.hvfabric.cli.CliContext;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.Endpoint;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.client.TlsOptions;
import io.hvfabric.cli.client.TransportSecurity;
import io.hvfabric.cli.client.TransportSecurityResolver;
import io.hvfabric.cli.options.DurationConverter;
import io.hvfabric.cli.options.VersionProvider;
import io.hvfabric.cli.output.OutputFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root command. Its options are inherited, so they may be given before or after any
 * subcommand ({@code hvctl -o json host list} and {@code hvctl host list -o json} are the same);
 * picocli stores them here either way. The subcommands are added by {@link CommandGroups}.
 */
@Command(
        name = "hvctl",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        description = "Operate an hvfabric cluster: hosts, VSIs, images, tenants, networks, and the fabric CA.")
public final class HvctlCommand {
    public static final String ENV_SCHEDULER = "HVCTL_SCHEDULER";
    /**
     * Each call's deadline, connection set-up included. Of 30 creates started at once on this project's 2-core machine
     * (bench/RESULTS.md §6), 10 s failed every one while it connected; 30 s failed one of them while 16 guests booted
     * beside the storm, whose calls took up to 59 s from process start; 60 s covers that.
     */
    static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(60);

    @Option(names = "--scheduler", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Scheduler endpoints, tried in order while unavailable (env HVCTL_SCHEDULER).")
    String scheduler;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "table", paramLabel = "table|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Deadline for each call, connecting included (default 60s); for 'vsi create --wait' the whole "
                    + "wait (default 120s); for 'vsi exec' the command's time in the guest (default 10s).")
    Duration timeout;

    @Option(names = "--tls-ca", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "CA certificate to trust (env HVCTL_TLS_CA).")
    Path tlsCa;

    @Option(names = "--tls-cert", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Client certificate (env HVCTL_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Client key, PKCS#8 PEM (env HVCTL_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--tls-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Directory with ca.crt, operator.crt and operator.key (env HVCTL_TLS_DIR).")
    Path tlsDir;

    @Option(names = "--insecure", scope = ScopeType.INHERIT,
            description = "Connect in plaintext, without TLS.")
    boolean insecure;

    private final CliContext context;

    public HvctlCommand(CliContext context) {
        this.context = context;
    }

    CliContext context() {
        return context;
    }

    OutputFormat output() {
        return output == null ? OutputFormat.TABLE : output;
    }

    /** The explicit --timeout, or {@code fallback} when none was given. */
    Duration timeoutOr(Duration fallback) {
        return timeout == null ? fallback : timeout;
    }

    Duration explicitTimeout() {
        return timeout;
    }

    /** Validates the connection options, then returns a client; no connection is made until the first call. */
    SchedulerClient connect() {
        String endpoints = scheduler != null ? scheduler : context.env().get(ENV_SCHEDULER);
        if (endpoints == null || endpoints.isBlank()) {
            throw CliException.usage("no scheduler given: pass --scheduler HOST:PORT or set " + ENV_SCHEDULER);
        }
        List<Endpoint> parsed = Endpoint.parseList(endpoints);
        TransportSecurity security = TransportSecurityResolver.resolve(
                new TlsOptions(tlsCa, tlsCert, tlsKey, tlsDir, insecure), context.env());
        return new SchedulerClient(parsed, security, context.channels(), timeoutOr(DEFAULT_RPC_TIMEOUT));
    }
}
