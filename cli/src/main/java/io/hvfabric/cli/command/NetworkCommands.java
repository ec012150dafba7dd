package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.NetworkViews;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.DeleteNetworkResponse;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NetworkStatus;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Tenant networks: layer-2 overlay segments whose addresses the fabric hands to vNICs by DHCP. Operators name any
 * tenant with --tenant (left out: the operators' own, "system"); a tenant's certificate always means its own tenant.
 */
@Command(name = "network", description = "Manage tenant networks: overlay segments for VSIs' vNICs, addressed by DHCP.",
        subcommands = {
            NetworkCommands.CreateNetwork.class,
            NetworkCommands.ListNetworks.class,
            NetworkCommands.ShowNetwork.class,
            NetworkCommands.DeleteNetwork.class
        })
final class NetworkCommands {
    @Command(name = "create", description = "Create a network; attach VSIs with 'hvctl vsi create ... --nic "
            + "network=NAME'. The fabric assigns its VNI; its first host address serves DHCP on every host.")
    static final class CreateNetwork extends TenantObjectCommand {
        /** Syntax only (a.b.c.d/n); the prefix bounds and zero host bits are the scheduler's rule. */
        private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

        @Option(names = "--cidr", required = true, paramLabel = "CIDR",
                description = "IPv4 network, /16 to /29, host bits zero (10.0.0.0/24).")
        String cidr;

        @Option(names = "--mtu", paramLabel = "N", description = "Guest MTU (default 1450: a 1500 underlay minus "
                + "VXLAN's 50; at most the hosts' underlay MTU minus 50).")
        Integer mtu;

        @Option(names = "--gateway", description = "Offer the first host address to guests as their default router.")
        boolean gateway;

        @Override
        void validate() {
            requireName();
            if (!isCidr(cidr)) {
                throw CliException.usage("--cidr: must be an IPv4 network like 10.0.0.0/24, got '" + cidr + "'");
            }
            if (mtu != null && mtu < 1) {
                throw CliException.usage("--mtu: must be at least 1 (leave it out for 1450), got " + mtu);
            }
        }

        static boolean isCidr(String text) {
            var m = CIDR.matcher(text);
            if (!m.matches()) {
                return false;
            }
            for (int group = 1; group <= 4; group++) {
                if (Integer.parseInt(m.group(group)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(m.group(5)) <= 32;
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Network.Builder network = Network.newBuilder().setName(name).setTenant(tenant).setCidr(cidr)
                    .setGateway(gateway);
            if (mtu != null) {
                network.setMtu(mtu);
            }
            CreateNetworkRequest request = CreateNetworkRequest.newBuilder().setNetwork(network).build();
            NetworkStatus created = client.call(stub -> stub.createNetwork(request));
            printer.object(created, () -> NetworkViews.detail(created, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "list", description = "List networks (operators: every tenant's unless --tenant narrows it).")
    static final class ListNetworks extends ClientCommand {
        @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "", description = "Only this tenant's.")
        String tenant;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<NetworkStatus> networks = client.call(stub -> stub.listNetworks(
                    ListNetworksRequest.newBuilder().setTenant(tenant).build())).getNetworksList();
            printer.array(networks, () -> NetworkViews.list(networks));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one network: addresses, the hosts carrying it and its ports.")
    static final class ShowNetwork extends TenantObjectCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            NetworkStatus network = client.call(stub -> stub.getNetwork(ref(name, tenant)));
            printer.object(network, () -> NetworkViews.detail(network, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a network; refused while a vNIC is on it.")
    static final class DeleteNetwork extends TenantObjectCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            DeleteNetworkResponse deleted = client.call(stub -> stub.deleteNetwork(ref(name, tenant)));
            printer.object(deleted, () -> deletedLine("network", deleted.getName(), deleted.getTenant()));
            return 0;
        }
    }

    private static NetworkRef ref(String name, String tenant) {
        return NetworkRef.newBuilder().setName(name).setTenant(tenant).build();
    }
}
