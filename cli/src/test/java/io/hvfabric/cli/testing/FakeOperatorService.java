package io.hvfabric.cli.testing;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.ConsoleChunk;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateNetworkRequest;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.DeleteVolumeResponse;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.proto.v1.CreateTenantRequest;
import io.hvfabric.proto.v1.DeleteNetworkResponse;
import io.hvfabric.proto.v1.ListNetworksRequest;
import io.hvfabric.proto.v1.ListNetworksResponse;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.NetworkStatus;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DeleteTenantResponse;
import io.hvfabric.proto.v1.GetTenantRequest;
import io.hvfabric.proto.v1.ListTenantsRequest;
import io.hvfabric.proto.v1.ListTenantsResponse;
import io.hvfabric.proto.v1.TenantStatus;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.DeleteVsiResponse;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListHostsResponse;
import io.hvfabric.proto.v1.ListAuditRequest;
import io.hvfabric.proto.v1.ListAuditResponse;
import io.hvfabric.proto.v1.ListImagesRequest;
import io.hvfabric.proto.v1.ListImagesResponse;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.ListVsisResponse;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.ListRevokedCertificatesRequest;
import io.hvfabric.proto.v1.ListRevokedCertificatesResponse;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokeCertificateResponse;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written OperatorService holding hosts, VSIs, images and tenants in memory, with the error statuses
 * a real scheduler returns. A created VSI walks through {@link #lifecycle} on WatchVsi.
 */
public final class FakeOperatorService extends OperatorServiceGrpc.OperatorServiceImplBase {
    public final Map<String, Host> hosts = new ConcurrentHashMap<>();
    public final Map<String, Vsi> vsis = new ConcurrentHashMap<>();
    public final Map<String, Image> images = new ConcurrentHashMap<>();
    public final Map<String, String> consoles = new ConcurrentHashMap<>();
    public final Map<String, Migration> migrations = new ConcurrentHashMap<>();
    public final Map<String, TenantStatus> tenants = new ConcurrentHashMap<>();
    /** Networks by "tenant/name", the operators' own under "system/name" (see {@link #networkKey}). */
    public final Map<String, NetworkStatus> networks = new ConcurrentHashMap<>();
    /** When set, ListVsis answers as it would a principal of this tenant: its VSIs only, the tenant named. */
    public volatile String callerTenant;
    public final List<Object> requests = new CopyOnWriteArrayList<>();
    /** What ListAudit answers. */
    public final List<AuditRecord> audit = new CopyOnWriteArrayList<>();
    public final List<io.hvfabric.proto.v1.Event> events = new CopyOnWriteArrayList<>();
    /** The deny list by serial, in revocation order; a PEM request revokes serial 4d. */
    public final Map<String, RevokedCertificate> revoked = Collections.synchronizedMap(new LinkedHashMap<>());
    public final AtomicInteger calls = new AtomicInteger();
    /** Time left before each unary call's deadline as it arrived; none recorded for a call without one. */
    public final List<Duration> deadlines = new CopyOnWriteArrayList<>();
    public volatile ClusterStatus clusterStatus = ClusterStatus.getDefaultInstance();
    /** States a new VSI passes through after PENDING, one per WatchVsi message. */
    public volatile List<Vsi.State> lifecycle = List.of(Vsi.State.SCHEDULED, Vsi.State.STARTING, Vsi.State.RUNNING);
    /** Guest states a RUNNING VSI then passes through on WatchVsi, one per message (none by default). */
    public volatile List<GuestStatus> guestLifecycle = List.of();
    /** What ExecVsi answers (its host is set to h1); see {@link #execFailure}. */
    public volatile ExecVsiResponse execAnswer = ExecVsiResponse.newBuilder().setExited(true).build();
    public volatile Status execFailure;
    public volatile String failureMessage = "qemu exited with status 1";
    public volatile long stepMillis = 30;
    /** How long every unary call takes before answering. */
    public volatile long delayMillis;
    /** When set, every unary call fails with this status. */
    public volatile Status failEverything;

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> response) {
        if (failed(response)) return;
        respond(response, ListHostsResponse.newBuilder().addAllHosts(sorted(hosts)).build());
    }

    @Override
    public void getHost(GetHostRequest request, StreamObserver<Host> response) {
        if (failed(response)) return;
        Host host = hosts.get(request.getId());
        if (host == null) {
            response.onError(Status.NOT_FOUND.withDescription("host '" + request.getId() + "' does not exist").asRuntimeException());
            return;
        }
        respond(response, host);
    }

    @Override
    public void getClusterStatus(GetClusterStatusRequest request, StreamObserver<ClusterStatus> response) {
        if (failed(response)) return;
        respond(response, clusterStatus);
    }

    @Override
    public void createVsi(CreateVsiRequest request, StreamObserver<Vsi> response) {
        requests.add(request);
        if (failed(response)) return;
        VsiSpec spec = request.getSpec();
        if (spec.getVcpus() > 64) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("spec.vcpus: must be at most 64, got " + spec.getVcpus())
                    .asRuntimeException());
            return;
        }
        if (vsis.containsKey(spec.getName())) {
            response.onError(Status.ALREADY_EXISTS.withDescription("vsi '" + spec.getName() + "' already exists").asRuntimeException());
            return;
        }
        if (!spec.getTenant().isEmpty() && !tenants.containsKey(spec.getTenant())) {
            response.onError(Status.NOT_FOUND.withDescription("tenant '" + spec.getTenant() + "' not found")
                    .asRuntimeException());
            return;
        }
        if (!images.isEmpty() && !images.containsKey(spec.getImage())) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("image '" + spec.getImage() + "' is not registered")
                    .asRuntimeException());
            return;
        }
        Vsi vsi = Vsi.newBuilder()
                .setName(spec.getName())
                .setState(Vsi.State.PENDING)
                .setVcpus(spec.getVcpus())
                .setMemoryMib(spec.getMemoryMib())
                .setImage(spec.getImage())
                .setSpec(spec)
                .setTenant(spec.getTenant())
                .setDesired("RUNNING")
                .build();
        vsis.put(vsi.getName(), vsi);
        respond(response, vsi);
    }

    @Override
    public void listVsis(ListVsisRequest request, StreamObserver<ListVsisResponse> response) {
        if (failed(response)) return;
        String tenant = callerTenant;
        List<Vsi> selected = new ArrayList<>();
        for (Vsi vsi : sorted(vsis)) {
            if ((request.getHost().isEmpty() || request.getHost().equals(vsi.getHost()))
                    && (tenant == null || tenant.equals(vsi.getTenant()))) {
                selected.add(vsi);
            }
        }
        ListVsisResponse.Builder list = ListVsisResponse.newBuilder().addAllVsis(selected);
        if (tenant != null) {
            list.setTenant(tenant);
        }
        respond(response, list.build());
    }

    @Override
    public void getVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
        if (failed(response)) return;
        Vsi vsi = vsis.get(request.getName());
        if (vsi == null) {
            response.onError(vsiNotFound(request.getName()));
            return;
        }
        respond(response, vsi);
    }

    @Override
    public void stopVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
        changeDesired(request.getName(), "STOPPED", Vsi.State.STOPPED, response);
    }

    @Override
    public void startVsi(VsiActionRequest request, StreamObserver<Vsi> response) {
        changeDesired(request.getName(), "RUNNING", Vsi.State.STARTING, response);
    }

    @Override
    public void deleteVsi(VsiActionRequest request, StreamObserver<DeleteVsiResponse> response) {
        if (failed(response)) return;
        if (vsis.remove(request.getName()) == null) {
            response.onError(vsiNotFound(request.getName()));
            return;
        }
        respond(response, DeleteVsiResponse.newBuilder().setName(request.getName()).build());
    }

    /** Walks the VSI through {@link #lifecycle}, then keeps the stream open until the client cancels. */
    @Override
    public void watchVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
        ServerCallStreamObserver<Vsi> call = (ServerCallStreamObserver<Vsi>) response;
        Vsi vsi = vsis.get(request.getName());
        if (vsi == null) {
            response.onError(vsiNotFound(request.getName()));
            return;
        }
        try {
            for (Vsi.State state : lifecycle) {
                Thread.sleep(stepMillis);
                if (call.isCancelled()) {
                    return;
                }
                Vsi.Builder next = vsis.get(request.getName()).toBuilder().setState(state);
                if (state != Vsi.State.PENDING) {
                    next.setHost("h1");
                }
                if (state == Vsi.State.FAILED) {
                    next.setMessage(failureMessage);
                }
                if (state == Vsi.State.RUNNING) {
                    next.setPid(4242);
                }
                Vsi updated = next.build();
                vsis.put(updated.getName(), updated);
                response.onNext(updated);
            }
            for (GuestStatus guest : guestLifecycle) {
                Thread.sleep(stepMillis);
                if (call.isCancelled()) {
                    return;
                }
                Vsi updated = vsis.get(request.getName()).toBuilder().setGuest(guest).build();
                vsis.put(updated.getName(), updated);
                response.onNext(updated);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void streamConsole(ConsoleRequest request, StreamObserver<ConsoleChunk> response) {
        requests.add(request);
        String log = consoles.get(request.getName());
        if (log == null) {
            response.onError(vsiNotFound(request.getName()));
            return;
        }
        byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
        int from = request.getTailBytes() > 0 ? (int) Math.max(0, bytes.length - request.getTailBytes()) : 0;
        for (int offset = from; offset < bytes.length; offset += 7) {
            response.onNext(ConsoleChunk.newBuilder()
                    .setData(ByteString.copyFrom(bytes, offset, Math.min(7, bytes.length - offset)))
                    .build());
        }
        if (!request.getFollow()) {
            response.onCompleted();
        }
    }

    @Override
    public void execVsi(ExecVsiRequest request, StreamObserver<ExecVsiResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        if (!vsis.containsKey(request.getName())) {
            response.onError(vsiNotFound(request.getName()));
            return;
        }
        if (execFailure != null) {
            response.onError(execFailure.asRuntimeException());
            return;
        }
        respond(response, execAnswer.toBuilder().setHost("h1").build());
    }

    @Override
    public void getMigration(GetMigrationRequest request, StreamObserver<Migration> response) {
        if (failed(response)) return;
        Migration migration = migrations.get(request.getId());
        if (migration == null) {
            response.onError(Status.NOT_FOUND.withDescription("migration '" + request.getId() + "' not found")
                    .asRuntimeException());
            return;
        }
        respond(response, migration);
    }

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> response) {
        if (failed(response)) return;
        respond(response, ListImagesResponse.newBuilder().addAllImages(sorted(images)).build());
    }

    @Override
    public void registerImage(Image request, StreamObserver<Image> response) {
        requests.add(request);
        if (failed(response)) return;
        images.put(request.getName(), request);
        respond(response, request);
    }

    /** Answers {@link #events} as they are (the scheduler's filtering is not the CLI's to test). */
    @Override
    public void listEvents(io.hvfabric.proto.v1.ListEventsRequest request,
                           StreamObserver<io.hvfabric.proto.v1.ListEventsResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        respond(response, io.hvfabric.proto.v1.ListEventsResponse.newBuilder().addAllEvents(events).build());
    }

    /** Sends {@link #events}, then stays open as a followed stream does (until the client's deadline). */
    @Override
    public void watchEvents(io.hvfabric.proto.v1.ListEventsRequest request,
                            StreamObserver<io.hvfabric.proto.v1.Event> response) {
        requests.add(request);
        if (failed(response)) return;
        events.forEach(response::onNext);
    }

    /** Answers {@link #audit} as it is (in the order given): the scheduler's filtering is not the CLI's to test. */
    @Override
    public void listAudit(ListAuditRequest request, StreamObserver<ListAuditResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        respond(response, ListAuditResponse.newBuilder().addAllRecords(audit).build());
    }

    /** Answers a revocation as the scheduler does: the first record of a serial, {@code already_revoked} after. */
    @Override
    public void revokeCertificate(RevokeCertificateRequest request,
                                  StreamObserver<RevokeCertificateResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        String serial = request.hasSerial() ? request.getSerial().toLowerCase(Locale.ROOT) : "4d";
        RevokedCertificate first = revoked.get(serial);
        if (first != null) {
            respond(response, RevokeCertificateResponse.newBuilder().setRevoked(first).setAlreadyRevoked(true).build());
            return;
        }
        RevokedCertificate record = RevokedCertificate.newBuilder().setSerial(serial).setReason(request.getReason())
                .setRevokedBy(AuditPrincipal.newBuilder().setRole("operator").setName("operator")).build();
        revoked.put(serial, record);
        respond(response, RevokeCertificateResponse.newBuilder().setRevoked(record).build());
    }

    @Override
    public void listRevokedCertificates(ListRevokedCertificatesRequest request,
                                        StreamObserver<ListRevokedCertificatesResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        respond(response, ListRevokedCertificatesResponse.newBuilder().addAllCertificates(revoked.values()).build());
    }

    @Override
    public void createTenant(CreateTenantRequest request, StreamObserver<TenantStatus> response) {
        requests.add(request);
        if (failed(response)) return;
        String name = request.getTenant().getName();
        if (tenants.containsKey(name)) {
            response.onError(Status.ALREADY_EXISTS.withDescription("tenant '" + name + "' already exists")
                    .asRuntimeException());
            return;
        }
        TenantStatus created = TenantStatus.newBuilder().setTenant(request.getTenant())
                .setUsage(TenantUsage.getDefaultInstance()).build();
        tenants.put(name, created);
        respond(response, created);
    }

    @Override
    public void listTenants(ListTenantsRequest request, StreamObserver<ListTenantsResponse> response) {
        if (failed(response)) return;
        respond(response, ListTenantsResponse.newBuilder().addAllTenants(sorted(tenants)).build());
    }

    @Override
    public void getTenant(GetTenantRequest request, StreamObserver<TenantStatus> response) {
        if (failed(response)) return;
        TenantStatus tenant = tenants.get(request.getName());
        if (tenant == null) {
            response.onError(tenantNotFound(request.getName()));
            return;
        }
        respond(response, tenant);
    }

    @Override
    public void deleteTenant(GetTenantRequest request, StreamObserver<DeleteTenantResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        String name = request.getName();
        if (!tenants.containsKey(name)) {
            response.onError(tenantNotFound(name));
            return;
        }
        List<String> owned = sorted(vsis).stream().filter(v -> name.equals(v.getTenant())).map(Vsi::getName).toList();
        if (!owned.isEmpty()) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("tenant '" + name + "' owns " + owned.size()
                    + " VSI" + (owned.size() == 1 ? "" : "s") + " (" + String.join(", ", owned) + "); delete them first")
                    .asRuntimeException());
            return;
        }
        tenants.remove(name);
        respond(response, DeleteTenantResponse.newBuilder().setName(name).build());
    }

    /** The key a network is stored under: an empty tenant is the operators' own, "system". */
    public static String networkKey(String tenant, String name) {
        return (tenant.isEmpty() ? "system" : tenant) + "/" + name;
    }

    /** Volumes by "tenant/name", as networks are. */
    public final Map<String, Volume> volumes = new ConcurrentHashMap<>();

    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<Volume> response) {
        requests.add(request);
        if (failed(response)) return;
        Volume volume = request.getVolume().toBuilder().setState(Volume.State.AVAILABLE).build();
        volumes.put(networkKey(volume.getTenant(), volume.getName()), volume);
        response.onNext(volume);
        response.onCompleted();
    }

    @Override
    public void deleteVolume(VolumeRef request, StreamObserver<DeleteVolumeResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        Volume volume = volumes.get(networkKey(request.getTenant(), request.getName()));
        if (volume != null && volume.getAttachedToCount() > 0) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("volume '" + volume.getName()
                    + "' in tenant 'system' is attached to vsi '" + volume.getAttachedTo(0) + "'; delete the VSI first")
                    .asRuntimeException());
            return;
        }
        volumes.remove(networkKey(request.getTenant(), request.getName()));
        response.onNext(DeleteVolumeResponse.newBuilder().setName(request.getName()).setTenant("system").build());
        response.onCompleted();
    }

    @Override
    public void createNetwork(CreateNetworkRequest request, StreamObserver<NetworkStatus> response) {
        requests.add(request);
        if (failed(response)) return;
        Network network = request.getNetwork();
        String key = networkKey(network.getTenant(), network.getName());
        if (!network.getCidr().endsWith("/24")) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("network.cidr: must be a /16 to /29 network "
                    + "with zero host bits (got '" + network.getCidr() + "')").asRuntimeException());
            return;
        }
        if (networks.containsKey(key)) {
            response.onError(Status.ALREADY_EXISTS.withDescription("network '" + key + "' already exists")
                    .asRuntimeException());
            return;
        }
        String prefix = network.getCidr().substring(0, network.getCidr().lastIndexOf('.'));
        NetworkStatus created = NetworkStatus.newBuilder()
                .setNetwork(network.toBuilder().setVni(100 + networks.size()).setGatewayIp(prefix + ".1")
                        .setMtu(network.getMtu() == 0 ? 1450 : network.getMtu()))
                .setAddressesTotal(253)
                .build();
        networks.put(key, created);
        respond(response, created);
    }

    @Override
    public void listNetworks(ListNetworksRequest request, StreamObserver<ListNetworksResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        List<NetworkStatus> selected = sorted(networks).stream().filter(n -> request.getTenant().isEmpty()
                || request.getTenant().equals(n.getNetwork().getTenant())).toList();
        respond(response, ListNetworksResponse.newBuilder().addAllNetworks(selected).build());
    }

    @Override
    public void getNetwork(NetworkRef request, StreamObserver<NetworkStatus> response) {
        requests.add(request);
        if (failed(response)) return;
        NetworkStatus network = networks.get(networkKey(request.getTenant(), request.getName()));
        if (network == null) {
            response.onError(networkNotFound(request));
            return;
        }
        respond(response, network);
    }

    @Override
    public void deleteNetwork(NetworkRef request, StreamObserver<DeleteNetworkResponse> response) {
        requests.add(request);
        if (failed(response)) return;
        String key = networkKey(request.getTenant(), request.getName());
        NetworkStatus network = networks.get(key);
        if (network == null) {
            response.onError(networkNotFound(request));
            return;
        }
        if (network.getPortsCount() > 0) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("network '" + key + "' has "
                    + network.getPortsCount() + " vNIC(s) (" + network.getPorts(0).getVsi() + "); delete them first")
                    .asRuntimeException());
            return;
        }
        networks.remove(key);
        respond(response, DeleteNetworkResponse.newBuilder().setName(request.getName())
                .setTenant(network.getNetwork().getTenant()).build());
    }

    private static RuntimeException networkNotFound(NetworkRef ref) {
        return Status.NOT_FOUND.withDescription("network '" + networkKey(ref.getTenant(), ref.getName())
                + "' not found").asRuntimeException();
    }

    private void changeDesired(String name, String desired, Vsi.State state, StreamObserver<Vsi> response) {
        if (failed(response)) return;
        Vsi vsi = vsis.get(name);
        if (vsi == null) {
            response.onError(vsiNotFound(name));
            return;
        }
        Vsi updated = vsi.toBuilder().setDesired(desired).setState(state).build();
        vsis.put(name, updated);
        respond(response, updated);
    }

    private boolean failed(StreamObserver<?> response) {
        calls.incrementAndGet();
        Deadline deadline = Context.current().getDeadline();
        if (deadline != null) {
            deadlines.add(Duration.ofMillis(deadline.timeRemaining(TimeUnit.MILLISECONDS)));
        }
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Status status = failEverything;
        if (status != null) {
            response.onError(status.asRuntimeException());
            return true;
        }
        return false;
    }

    private static <T> void respond(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }

    private static RuntimeException tenantNotFound(String name) {
        return Status.NOT_FOUND.withDescription("tenant '" + name + "' not found").asRuntimeException();
    }

    private static RuntimeException vsiNotFound(String name) {
        return Status.NOT_FOUND.withDescription("vsi '" + name + "' does not exist").asRuntimeException();
    }

    private static <T> List<T> sorted(Map<String, T> map) {
        return map.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }
}
