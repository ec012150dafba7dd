package io.hvfabric.scheduler.store;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.TlsFiles;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * jetcd clients for the fabric's etcd. With TLS files the client trusts only their CA and presents their
 * certificate, whose CN etcd (with {@code --client-cert-auth}) takes as the user name for its permissions.
 */
public final class EtcdClients {
    private EtcdClients() {}

    /** Plaintext when {@code tls} is empty: only for http:// endpoints. */
    public static Client connect(List<String> endpoints, Optional<TlsFiles> tls) {
        ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(String[]::new));
        if (tls.isPresent()) {
            TlsFiles files = tls.get();
            try {
                // jetcd starts from grpc-netty's client defaults (ALPN h2), so only trust and identity are added.
                builder.sslContext(ssl -> ssl.trustManager(files.ca().toFile())
                        .keyManager(files.cert().toFile(), files.key().toFile()));
            } catch (SSLException | IllegalArgumentException e) {
                throw FabricException.invalidArgument("etcd tls",
                        "cannot load etcd client certificate %s / key %s / CA %s: %s",
                        files.cert(), files.key(), files.ca(), e.getMessage());
            }
        }
        return builder.build();
    }
}
