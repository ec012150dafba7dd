package io.hvfabric.scheduler.view;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkAllocation;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.ReplicaRecord;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.store.kv.StoreEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's in-memory picture of the cluster, fed only by etcd: a snapshot read, then a watch from the next
 * revision. Nothing here changes except by applying what etcd returned, so every replica (leader or not) converges to
 * the same view, and a new leader starts from exactly the state the old one committed.
 */
public final class ClusterView implements AutoCloseable {
    /** Notified after a batch of changes has been applied. */
    public interface ChangeListener {
        void onChange(long revision);
    }

    /**
     * Told of each record applied, on the applying thread, after the view shows it; for indexes that follow a few
     * kinds of record incrementally instead of scanning the view. Must be quick and must not call back into
     * decisions.
     */
    public interface RecordListener {
        void onRecord(Keys.Kind kind, String name);

        /** The view was re-read from a snapshot: any record may have changed without {@link #onRecord}. */
        void onReset();
    }

    /** An election candidate: its key's create revision orders candidates; the lowest leads. */
    public record Candidate(ByteSequence key, long createRevision, LeaderRecord record) {}

    private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);

    private final Client client;
    private final Keys keys;
    private final Map<String, Candidate> candidates = new ConcurrentHashMap<>();
    private final Map<String, Versioned<ReplicaRecord>> replicas = new ConcurrentHashMap<>();
    private final Map<String, Versioned<HostRecord>> hosts = new ConcurrentHashMap<>();
    private final Map<String, Versioned<AliveRecord>> alive = new ConcurrentHashMap<>();
    private final Map<String, Versioned<HostAllocation>> allocations = new ConcurrentHashMap<>();
    private final Map<String, Versioned<VsiRecord>> vsis = new ConcurrentHashMap<>();
    private final Map<String, Versioned<Image>> images = new ConcurrentHashMap<>();
    private final Map<String, Versioned<Migration>> migrations = new ConcurrentHashMap<>();
    private final Map<String, Versioned<Drain>> drains = new ConcurrentHashMap<>();
    private final Map<String, Versioned<Tenant>> tenants = new ConcurrentHashMap<>();
    private final Map<String, Versioned<TenantUsage>> tenantUsage = new ConcurrentHashMap<>();
    /** Networks and their allocations by "&lt;tenant&gt;/&lt;name&gt;", as keys name them. */
    private final Map<String, Versioned<Network>> networks = new ConcurrentHashMap<>();
    private final Map<String, Versioned<NetworkAllocation>> networkAllocations = new ConcurrentHashMap<>();
    /** VNI claims by VNI (decimal), each naming its network. */
    private final Map<String, Versioned<NetworkRef>> vnis = new ConcurrentHashMap<>();
    /** Volumes by "&lt;tenant&gt;/&lt;name&gt;", as keys name them. */
    private final Map<String, Versioned<Volume>> volumes = new ConcurrentHashMap<>();
    private final Map<String, Versioned<RevokedCertificate>> revoked = new ConcurrentHashMap<>();
    /** Every applied key but the audit's and the events', as etcd holds it: what the leader loop decides on (see {@link #entry}). */
    private final Map<String, StoreEntry> entries = new ConcurrentHashMap<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final List<RecordListener> recordListeners = new CopyOnWriteArrayList<>();
    private final Object revisionMonitor = new Object();
    private volatile long revision;
    private volatile Watch.Watcher watcher;
    private volatile boolean closed;

    public ClusterView(Client client, Keys keys) {
        this.client = client;
        this.keys = keys;
    }

    /** Reads everything under the prefix, then follows changes. Returns once the snapshot is applied. */
    public void start() throws Exception {
        resync();
    }

    private void resync() throws Exception {
        // Everything under the prefix but the audit records and the events, which are no cluster state and may be a
        // week of calls (more than one etcd response can carry): the ranges between them, all at one revision.
        // ("audit/" sorts before "events/", and the event cursor, between them, is no kind's key.)
        ByteSequence audit = keys.dir(Keys.Kind.AUDIT);
        ByteSequence events = keys.dir(Keys.Kind.EVENT);
        GetResponse snapshot = client.getKVClient()
                .get(keys.root(), GetOption.builder().withRange(audit).build())
                .get(15, TimeUnit.SECONDS);
        long rev = snapshot.getHeader().getRevision();
        GetResponse between = client.getKVClient()
                .get(Keys.prefixEnd(audit), GetOption.builder().withRange(events).withRevision(rev).build())
                .get(15, TimeUnit.SECONDS);
        GetResponse rest = client.getKVClient()
                .get(Keys.prefixEnd(events), GetOption.builder().withRange(Keys.prefixEnd(keys.root()))
                        .withRevision(rev).build())
                .get(15, TimeUnit.SECONDS);
        // The deny list is not cleared with the rest: a call arriving between the clear and the re-read would pass.
        // Entries the snapshot no longer holds go once it is applied.
        Set<String> staleRevocations = new HashSet<>(revoked.keySet());
        clearAll();
        for (List<KeyValue> part : List.of(snapshot.getKvs(), between.getKvs(), rest.getKvs())) {
            for (KeyValue kv : part) {
                apply(kv, false);
                Keys.Parsed key = keys.parse(kv.getKey());
                if (key != null && key.kind() == Keys.Kind.REVOKED) {
                    staleRevocations.remove(key.name());
                }
            }
        }
        staleRevocations.forEach(revoked::remove);
        for (RecordListener l : recordListeners) {
            l.onReset();
        }
        advanceTo(rev);
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withRevision(rev + 1)
                .withPrevKV(false)
                .build();
        watcher = client.getWatchClient().watch(keys.root(), option, Watch.listener(this::onWatch, this::onWatchError));
        notifyListeners(rev);
    }

    private void onWatch(WatchResponse response) {
        applyCommitted(response.getEvents(), response.getHeader().getRevision());
    }

    /**
     * Applies changes etcd committed, up to revision {@code rev}. The watch's one path into the view; tests feed a
     * view that has no etcd through it too (ViewFeed in the test sources).
     */
    void applyCommitted(List<WatchEvent> events, long rev) {
        for (WatchEvent event : events) {
            apply(event.getKeyValue(), event.getEventType() == WatchEvent.EventType.DELETE);
        }
        advanceTo(rev);
        notifyListeners(rev);
    }

    private void onWatchError(Throwable error) {
        if (closed) {
            return;
        }
        LOG.warn("watch failed ({}); re-reading the cluster state", error.toString());
        Thread t = new Thread(() -> {
            while (!closed) {
                try {
                    Watch.Watcher old = watcher;
                    if (old != null) {
                        old.close();
                    }
                    resync();
                    return;
                } catch (Exception e) {
                    LOG.warn("resync failed: {}", e.toString());
                    sleepQuietly(1000);
                }
            }
        }, "view-resync");
        t.setDaemon(true);
        t.start();
    }

    private void apply(KeyValue kv, boolean deleted) {
        Keys.Parsed key = keys.parse(kv.getKey());
        if (key == null) {
            return;
        }
        if (key.kind() != Keys.Kind.AUDIT && key.kind() != Keys.Kind.EVENT) {
            String raw = kv.getKey().toString(StandardCharsets.UTF_8);
            if (deleted) {
                entries.remove(raw);
            } else {
                // getBytes() is already a copy of its own: wrapping it saves a second one.
                entries.put(raw, new StoreEntry(raw, UnsafeByteOperations.unsafeWrap(kv.getValue().getBytes()),
                        kv.getCreateRevision(), kv.getModRevision(), kv.getVersion(), kv.getLease()));
            }
        }
        String name = key.name();
        switch (key.kind()) {
            case LEADER -> {
                if (deleted) {
                    candidates.remove(name);
                } else {
                    candidates.put(name, new Candidate(kv.getKey(), kv.getCreateRevision(),
                            RecordCodec.decode(kv.getValue(), LeaderRecord.getDefaultInstance())));
                }
            }
            case SCHEDULER -> put(replicas, name, kv, deleted, ReplicaRecord.getDefaultInstance());
            case HOST -> put(hosts, name, kv, deleted, HostRecord.getDefaultInstance());
            case ALIVE -> put(alive, name, kv, deleted, AliveRecord.getDefaultInstance());
            case HOST_ALLOCATION -> put(allocations, name, kv, deleted, HostAllocation.getDefaultInstance());
            case VSI -> put(vsis, name, kv, deleted, VsiRecord.getDefaultInstance());
            case IMAGE -> put(images, name, kv, deleted, Image.getDefaultInstance());
            case MIGRATION -> put(migrations, name, kv, deleted, Migration.getDefaultInstance());
            case DRAIN -> put(drains, name, kv, deleted, Drain.getDefaultInstance());
            case TENANT -> put(tenants, name, kv, deleted, Tenant.getDefaultInstance());
            case TENANT_USAGE -> put(tenantUsage, name, kv, deleted, TenantUsage.getDefaultInstance());
            case NETWORK -> put(networks, name, kv, deleted, Network.getDefaultInstance());
            case NETWORK_ALLOCATION -> put(networkAllocations, name, kv, deleted,
                    NetworkAllocation.getDefaultInstance());
            case VNI -> put(vnis, name, kv, deleted, NetworkRef.getDefaultInstance());
            case VOLUME -> put(volumes, name, kv, deleted, Volume.getDefaultInstance());
            case REVOKED -> put(revoked, name, kv, deleted, RevokedCertificate.getDefaultInstance());
            case AUDIT, EVENT -> { } // no cluster state: ListAudit and ListEvents read them from etcd itself
        }
        if (key.kind() != Keys.Kind.AUDIT && key.kind() != Keys.Kind.EVENT) {
            for (RecordListener l : recordListeners) {
                try {
                    l.onRecord(key.kind(), name);
                } catch (RuntimeException e) {
                    LOG.warn("view record listener failed", e);
                }
            }
        }
    }

    private static <T extends Message> void put(
            Map<String, Versioned<T>> map, String name, KeyValue kv, boolean deleted, T prototype) {
        if (deleted) {
            map.remove(name);
        } else {
            map.put(name, new Versioned<>(
                    RecordCodec.decode(kv.getValue(), prototype), kv.getModRevision(), kv.getCreateRevision()));
        }
    }

    private void clearAll() {
        entries.clear();
        candidates.clear();
        replicas.clear();
        hosts.clear();
        alive.clear();
        allocations.clear();
        vsis.clear();
        images.clear();
        migrations.clear();
        drains.clear();
        tenants.clear();
        tenantUsage.clear();
        networks.clear();
        networkAllocations.clear();
        vnis.clear();
        volumes.clear();
    }

    private void advanceTo(long rev) {
        synchronized (revisionMonitor) {
            if (rev > revision) {
                revision = rev;
            }
            revisionMonitor.notifyAll();
        }
    }

    private void notifyListeners(long rev) {
        for (ChangeListener l : listeners) {
            try {
                l.onChange(rev);
            } catch (RuntimeException e) {
                LOG.warn("view listener failed", e);
            }
        }
    }

    /** Waits until the view has applied etcd revision {@code rev} (read-your-writes after a commit). */
    public boolean awaitRevision(long rev, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (revisionMonitor) {
            while (revision < rev) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    revisionMonitor.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    public void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    public void addRecordListener(RecordListener listener) {
        recordListeners.add(listener);
    }

    public void removeListener(ChangeListener listener) {
        listeners.remove(listener);
    }

    /** The key as this view applied it (value and revisions), if present; audit records are not kept. */
    public Optional<StoreEntry> entry(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public long revision() {
        return revision;
    }

    /** The leading candidate: the election key with the lowest create revision. */
    public Optional<Candidate> leader() {
        return candidates.values().stream().min(Comparator.comparingLong(Candidate::createRevision));
    }

    public List<Versioned<ReplicaRecord>> replicas() {
        List<Versioned<ReplicaRecord>> list = new ArrayList<>(replicas.values());
        list.sort(Comparator.comparing(v -> v.value().getId()));
        return list;
    }

    /** Every host in no particular order: for scans that need no sorting. */
    public java.util.Collection<Versioned<HostRecord>> hostsUnordered() {
        return java.util.Collections.unmodifiableCollection(hosts.values());
    }

    public List<Versioned<HostRecord>> hosts() {
        List<Versioned<HostRecord>> list = new ArrayList<>(hosts.values());
        list.sort(Comparator.comparing(v -> v.value().getId()));
        return list;
    }

    public Optional<Versioned<HostRecord>> host(String id) {
        return Optional.ofNullable(hosts.get(id));
    }

    public Optional<Versioned<AliveRecord>> alive(String hostId) {
        return Optional.ofNullable(alive.get(hostId));
    }

    public Optional<Versioned<HostAllocation>> allocation(String hostId) {
        return Optional.ofNullable(allocations.get(hostId));
    }

    /** Every VSI in no particular order: for scans that need no sorting. */
    public java.util.Collection<Versioned<VsiRecord>> vsisUnordered() {
        return java.util.Collections.unmodifiableCollection(vsis.values());
    }

    public List<Versioned<VsiRecord>> vsis() {
        List<Versioned<VsiRecord>> list = new ArrayList<>(vsis.values());
        list.sort(Comparator.comparing(v -> v.value().getSpec().getName()));
        return list;
    }

    public Optional<Versioned<VsiRecord>> vsi(String name) {
        return Optional.ofNullable(vsis.get(name));
    }

    public List<Versioned<Image>> images() {
        List<Versioned<Image>> list = new ArrayList<>(images.values());
        list.sort(Comparator.comparing(v -> v.value().getName()));
        return list;
    }

    public Optional<Versioned<Image>> image(String name) {
        return Optional.ofNullable(images.get(name));
    }

    /** Every migration record, oldest first. */
    public List<Versioned<Migration>> migrations() {
        List<Versioned<Migration>> list = new ArrayList<>(migrations.values());
        list.sort(Comparator.comparingLong(Versioned::createRevision));
        return list;
    }

    public Optional<Versioned<Migration>> migration(String id) {
        return Optional.ofNullable(migrations.get(id));
    }

    public List<Versioned<Drain>> drains() {
        List<Versioned<Drain>> list = new ArrayList<>(drains.values());
        list.sort(Comparator.comparing(v -> v.value().getHost()));
        return list;
    }

    public Optional<Versioned<Drain>> drain(String host) {
        return Optional.ofNullable(drains.get(host));
    }

    public List<Versioned<Tenant>> tenants() {
        List<Versioned<Tenant>> list = new ArrayList<>(tenants.values());
        list.sort(Comparator.comparing(v -> v.value().getName()));
        return list;
    }

    public Optional<Versioned<Tenant>> tenant(String name) {
        return Optional.ofNullable(tenants.get(name));
    }

    /** The sum of the tenant's VSIs; empty while it has never had one (or once it is deleted). */
    public Optional<Versioned<TenantUsage>> tenantUsage(String name) {
        return Optional.ofNullable(tenantUsage.get(name));
    }

    /** Every network, by key ("&lt;tenant&gt;/&lt;name&gt;"). */
    public List<Versioned<Network>> networks() {
        return networks.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    /** The network of key {@code key}: "&lt;tenant&gt;/&lt;name&gt;", tenant "system" for the operators' own. */
    public Optional<Versioned<Network>> network(String key) {
        return Optional.ofNullable(networks.get(key));
    }

    /** The addresses the network of {@code key} has handed out; empty once it is deleted. */
    public Optional<Versioned<NetworkAllocation>> networkAllocation(String key) {
        return Optional.ofNullable(networkAllocations.get(key));
    }

    /** The VNIs networks hold now (decimal), in no particular order. */
    public java.util.Set<String> claimedVnis() {
        return java.util.Collections.unmodifiableSet(vnis.keySet());
    }

    /** Every volume, by key ("&lt;tenant&gt;/&lt;name&gt;"). */
    public List<Versioned<Volume>> volumes() {
        return volumes.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    /** The volume of key {@code key}: "&lt;tenant&gt;/&lt;name&gt;", tenant "system" for the operators' own. */
    public Optional<Versioned<Volume>> volume(String key) {
        return Optional.ofNullable(volumes.get(key));
    }

    /** The deny list: every revoked certificate, oldest revocation first. */
    public List<Versioned<RevokedCertificate>> revokedCertificates() {
        List<Versioned<RevokedCertificate>> list = new ArrayList<>(revoked.values());
        list.sort(Comparator.comparingLong(Versioned::createRevision));
        return list;
    }

    public Optional<Versioned<RevokedCertificate>> revokedCertificate(CertificateSerial serial) {
        return Optional.ofNullable(revoked.get(serial.hex()));
    }

    /** Whether {@code serial} is on the deny list: a {@link io.hvfabric.common.tls.DenyList} as {@code view::isRevoked}. */
    public boolean isRevoked(CertificateSerial serial) {
        return revoked.containsKey(serial.hex());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
    }
}
