package io.hvfabric.lab;

/** Where the lab's hosts live. */
public enum NetworkMode {
    /** Namespaces when running as root on Linux, loopback otherwise. */
    AUTO,
    /** Each host in its own network namespace on a lab bridge. Needs root and iproute2. */
    NAMESPACES,
    /** Everything on 127.0.0.1 with free ports. */
    LOOPBACK;

    NetworkMode resolve() {
        if (this != AUTO) {
            return this;
        }
        return Platform.isLinuxRoot() ? NAMESPACES : LOOPBACK;
    }
}
