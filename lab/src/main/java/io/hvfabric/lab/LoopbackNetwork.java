package io.hvfabric.lab;

import java.util.List;
import java.util.Optional;

/** Every component on 127.0.0.1, told apart by port: for non-root or non-Linux runs. */
final class LoopbackNetwork implements LabNetwork {
    static final String LOOPBACK = "127.0.0.1";

    @Override
    public String infraAddress() {
        return LOOPBACK;
    }

    @Override
    public String hostAddress(int host) {
        return LOOPBACK;
    }

    @Override
    public Optional<String> hostNamespace(int host) {
        return Optional.empty();
    }

    @Override
    public List<String> enterHost(int host) {
        return List.of();
    }

    @Override
    public boolean hostPortsVisible() {
        return true;
    }

    @Override
    public void create(int hosts) {}

    @Override
    public void destroy() {}

    @Override
    public int subnet() {
        return 0;
    }

    @Override
    public String mode() {
        return "loopback";
    }
}
