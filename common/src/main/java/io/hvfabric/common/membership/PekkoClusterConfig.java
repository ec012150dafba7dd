package io.hvfabric.common.membership;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the Pekko configuration of a member programmatically, layered over Pekko's reference configuration, so no
 * application.conf is needed. Remoting is Artery over TLS ({@link FabricSslEngineProvider}) unless the member runs
 * without certificates ({@code --insecure}), then Artery over plain TCP.
 *
 * <p>Downing: Split Brain Resolver, keep-majority counted over the {@code scheduler} role only. The side that holds
 * the majority of scheduler replicas survives and downs everything it cannot reach; a dead agent therefore only
 * ever costs itself (the schedulers stay), a scheduler replica that loses the majority downs itself, and an agent
 * cut off from every scheduler downs itself and rejoins later ({@link ClusterMembership} restarts it). Counting
 * agents too would let a crowd of agents outvote the scheduler replicas in a partition. Decisions wait until the
 * reachability view has been stable for {@link #STABLE_AFTER}.
 */
final class PekkoClusterConfig {
    /** Heartbeats are 1 s apart; 5 s of silence (plus phi's margin) marks a member unreachable. */
    static final String ACCEPTABLE_HEARTBEAT_PAUSE = "5s";
    static final String STABLE_AFTER = "10s";

    private PekkoClusterConfig() {}

    static Config build(MembershipConfig cfg, Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("pekko.loggers", List.of("org.apache.pekko.event.slf4j.Slf4jLogger"));
        settings.put("pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter");
        settings.put("pekko.loglevel", "WARNING");
        settings.put("pekko.stdout-loglevel", "WARNING");
        settings.put("pekko.log-dead-letters", "off");
        settings.put("pekko.log-dead-letters-during-shutdown", "off");
        settings.put("pekko.actor.provider", "cluster");
        settings.put("pekko.actor.allow-java-serialization", "off");
        settings.put("pekko.actor.warn-about-java-serializer-usage", "off");
        if (cfg.tls().isPresent()) {
            TlsFiles files = cfg.tls().get();
            settings.put("pekko.remote.artery.transport", "tls-tcp");
            settings.put("pekko.remote.artery.ssl.ssl-engine-provider", FabricSslEngineProvider.class.getName());
            settings.put(FabricSslEngineProvider.CONFIG_PATH + ".ca-file", files.ca().toString());
            settings.put(FabricSslEngineProvider.CONFIG_PATH + ".cert-file", files.cert().toString());
            settings.put(FabricSslEngineProvider.CONFIG_PATH + ".key-file", files.key().toString());
        } else {
            settings.put("pekko.remote.artery.transport", "tcp");
        }
        settings.put("pekko.remote.artery.canonical.hostname", cfg.bindHost());
        settings.put("pekko.remote.artery.canonical.port", cfg.port());
        settings.put("pekko.cluster.roles", List.of(cfg.kind(), ClusterMembership.ID_ROLE_PREFIX + cfg.id()));
        settings.put("pekko.cluster.seed-nodes", cfg.seeds().stream()
                .map(seed -> "pekko://" + cfg.systemName() + "@" + HostPort.parse("membership.seeds", seed))
                .collect(Collectors.toList()));
        settings.put("pekko.cluster.log-info", "off");
        settings.put("pekko.cluster.jmx.enabled", "off");
        settings.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", ACCEPTABLE_HEARTBEAT_PAUSE);
        settings.put("pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        settings.put("pekko.cluster.split-brain-resolver.active-strategy", "keep-majority");
        settings.put("pekko.cluster.split-brain-resolver.keep-majority.role", MembershipConfig.KIND_SCHEDULER);
        settings.put("pekko.cluster.split-brain-resolver.stable-after", STABLE_AFTER);
        // The process outlives its cluster membership (an agent keeps its guests running): never exit the JVM.
        settings.put("pekko.coordinated-shutdown.exit-jvm", "off");
        return ConfigFactory.parseMap(overrides)
                .withFallback(ConfigFactory.parseMap(settings))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }
}
