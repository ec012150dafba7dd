package io.hvfabric.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Picks ports the kernel reports free on an address. Remembers what it handed out, since a port probed free
 * stays free until its component binds it, and two components must not get the same one meanwhile.
 */
final class PortAllocator {
    private final Set<String> handedOut = new HashSet<>();

    synchronized int freePort(String address) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
                int port = s.getLocalPort();
                if (handedOut.add(address + ":" + port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new LabException("ports: cannot bind a free port on " + address + ": " + e.getMessage(), e);
            }
        }
        throw new LabException("ports: no free port found on " + address);
    }
}
