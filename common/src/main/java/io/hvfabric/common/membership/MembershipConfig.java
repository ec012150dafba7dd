package io.hvfabric.common.membership;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and as what a process joins the fabric's Pekko cluster.
 *
 * @param systemName actor system name, the same on every member ({@code "hvfabric"})
 * @param bindHost address to bind and advertise (must be reachable by the other members, no wildcard)
 * @param port cluster port; 0 picks a free one (never for a seed)
 * @param kind {@code "scheduler"} or {@code "agent"}; becomes a cluster role
 * @param id replica id or host id; becomes the role {@code id:<id>}
 * @param seeds {@code host:port} of the scheduler replicas; empty means "form a cluster on my own"
 * @param tls the process's fabric certificate, key and CA: remoting is TLS with mutual authentication
 *     ({@link FabricSslEngineProvider}); empty (plaintext) only for a process run {@code --insecure}
 */
public record MembershipConfig(String systemName, String bindHost, int port, String kind, String id, List<String> seeds,
                               Optional<TlsFiles> tls) {
    public static final String DEFAULT_SYSTEM_NAME = "hvfabric";
    public static final String KIND_SCHEDULER = "scheduler";
    public static final String KIND_AGENT = "agent";

    private static final Pattern SYSTEM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
    private static final Pattern ROLE_SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public MembershipConfig {
        if (systemName == null || !SYSTEM_NAME.matcher(systemName).matches()) {
            throw FabricException.invalidArgument(
                    "membership.systemName", "must match %s (got '%s')", SYSTEM_NAME.pattern(), systemName);
        }
        if (bindHost == null || bindHost.isBlank()) {
            throw FabricException.invalidArgument("membership.bindHost", "must not be blank");
        }
        if (bindHost.equals("0.0.0.0") || bindHost.equals("::")) {
            throw FabricException.invalidArgument(
                    "membership.bindHost", "must be an address other members can reach, not a wildcard (got '%s')",
                    bindHost);
        }
        if (port < 0 || port > 65535) {
            throw FabricException.invalidArgument("membership.port", "must be between 0 and 65535 (got %d)", port);
        }
        if (kind == null || !ROLE_SAFE.matcher(kind).matches()) {
            throw FabricException.invalidArgument(
                    "membership.kind", "must match %s, e.g. 'scheduler' or 'agent' (got '%s')", ROLE_SAFE.pattern(),
                    kind);
        }
        if (id == null || !ROLE_SAFE.matcher(id).matches()) {
            throw FabricException.invalidArgument(
                    "membership.id", "must match %s (got '%s')", ROLE_SAFE.pattern(), id);
        }
        seeds = List.copyOf(seeds == null ? List.of() : seeds);
        for (String seed : seeds) {
            HostPort.parse("membership.seeds", seed);
        }
        Objects.requireNonNull(tls, "membership.tls (Optional.empty() for plaintext)");
    }

    /** A scheduler replica or agent in the default system. */
    public static MembershipConfig of(String bindHost, int port, String kind, String id, List<String> seeds,
                                      Optional<TlsFiles> tls) {
        return new MembershipConfig(DEFAULT_SYSTEM_NAME, bindHost, port, kind, id, seeds, tls);
    }
}
