package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.options.MemorySizeConverter;
import io.hvfabric.cli.output.TenantViews;
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.DeleteTenantResponse;
import io.hvfabric.proto.v1.GetTenantRequest;
import io.hvfabric.proto.v1.ListTenantsRequest;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantStatus;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Tenants (operators only): who may own VSIs, under which quotas. */
@Command(name = "tenant", description = "Manage tenants: owners of VSIs, with quotas (operators only).",
        subcommands = {
            TenantCommands.CreateTenant.class,
            TenantCommands.ListTenants.class,
            TenantCommands.ShowTenant.class,
            TenantCommands.DeleteTenant.class
        })
final class TenantCommands {

    @Command(name = "create", description = "Create a tenant; a quota left out bounds nothing. Issue its users' "
            + "certificates with 'hvctl ca issue NAME --role tenant --tenant TENANT'.")
    static final class CreateTenant extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--max-vsis", paramLabel = "N", description = "At most N VSIs at a time.")
        Integer maxVsis;

        @Option(names = "--max-vcpus", paramLabel = "N", description = "At most N vCPUs over all its VSIs.")
        Integer maxVcpus;

        @Option(names = "--max-memory", paramLabel = "MIB", converter = MemorySizeConverter.class,
                description = "At most this much memory over all its VSIs (512, 4GiB).")
        Long maxMemoryMib;

        @Override
        void validate() {
            if (name.isBlank()) {
                throw CliException.usage("NAME: must not be empty");
            }
            requirePositive("--max-vsis", maxVsis);
            requirePositive("--max-vcpus", maxVcpus);
            requirePositive("--max-memory", maxMemoryMib);
        }

        /** 0 would mean "no bound" to the scheduler; leaving the option out says that, so 0 is refused here. */
        private static void requirePositive(String option, Number value) {
            if (value != null && value.longValue() < 1) {
                throw CliException.usage(option + ": must be at least 1 (leave it out for no bound), got " + value);
            }
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            TenantQuota.Builder quota = TenantQuota.newBuilder();
            if (maxVsis != null) {
                quota.setMaxVsis(maxVsis);
            }
            if (maxVcpus != null) {
                quota.setMaxVcpus(maxVcpus);
            }
            if (maxMemoryMib != null) {
                quota.setMaxMemoryMib(maxMemoryMib);
            }
            CreateTenantRequest request = CreateTenantRequest.newBuilder()
                    .setTenant(Tenant.newBuilder().setName(name).setQuota(quota))
                    .build();
            TenantStatus created = client.call(stub -> stub.createTenant(request));
            printer.object(created, () -> TenantViews.detail(created, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "list", description = "List tenants with their usage and quotas.")
    static final class ListTenants extends ClientCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<TenantStatus> tenants =
                    client.call(stub -> stub.listTenants(ListTenantsRequest.getDefaultInstance())).getTenantsList();
            printer.array(tenants, () -> TenantViews.list(tenants));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one tenant: quotas, usage and its VSIs.")
    static final class ShowTenant extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            TenantStatus tenant = client.call(stub -> stub.getTenant(GetTenantRequest.newBuilder().setName(name).build()));
            printer.object(tenant, () -> TenantViews.detail(tenant, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a tenant; refused while it owns VSIs.")
    static final class DeleteTenant extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            DeleteTenantResponse deleted =
                    client.call(stub -> stub.deleteTenant(GetTenantRequest.newBuilder().setName(name).build()));
            printer.object(deleted, () -> "deleted tenant " + deleted.getName() + "\n");
            return 0;
        }
    }
}
