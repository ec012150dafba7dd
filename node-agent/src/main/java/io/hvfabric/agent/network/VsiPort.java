package io.hvfabric.agent.network;

/**
 * One vNIC of a VSI on this host: its tap on the network's bridge.
 *
 * @param index the nic's position in the VSI's spec (its netdev is "net<index>")
 * @param ip the guest's address, given by DHCP and the only IPv4 source its tap lets through; empty if none
 * @param mbps bandwidth the tap is shaped to both ways; 0 leaves it unshaped
 * @param network the network's id, for metric labels
 */
public record VsiPort(String vsi, int index, String tap, String mac, String ip, int vni, int mtu, long mbps,
                      String network) {}
