package io.hvfabric.agent.qga;

import java.util.List;

/**
 * One entry of {@code guest-network-get-interfaces}.
 *
 * @param mac the hardware address, empty when the guest reports none (loopback)
 * @param addresses {@code address/prefix}, e.g. {@code 10.0.0.2/24}, {@code fe80::1/64}
 */
public record GuestNetworkInterface(String name, String mac, List<String> addresses) {
    public GuestNetworkInterface {
        addresses = List.copyOf(addresses);
    }
}
