package io.hvfabric.agent.volume;

import io.hvfabric.agent.driver.DiskAttachment;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where this host keeps its local volumes: {@code <root>/<tenant>/<name>.qcow2}, one file per volume, apart from the
 * VSIs' run directories, so a volume outlives the VSI that used it (stop, start, delete of a VSI) and goes only when
 * the scheduler no longer lists it for this host ({@link #sweep}). Tenant and name are DNS labels (checked here again),
 * so no id reaches outside the root.
 */
public final class VolumeFiles {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeFiles.class);
    private static final String SUFFIX = ".qcow2";
    private static final long MIB = 1L << 20;
    private static final long MAX_SIZE = 16L << 40;

    private final Path root;

    public VolumeFiles(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** The file of volume {@code id} ("&lt;tenant&gt;/&lt;name&gt;"). INVALID_ARGUMENT for anything else. */
    public Path file(String id) {
        int slash = id.indexOf('/');
        if (slash <= 0 || slash != id.lastIndexOf('/')) {
            throw FabricException.invalidArgument("disk.id", "must be '<tenant>/<name>' (got '%s')", id);
        }
        String tenant = FieldRules.dnsLabel("disk.id", id.substring(0, slash));
        String name = FieldRules.dnsLabel("disk.id", id.substring(slash + 1));
        return root.resolve(tenant).resolve(name + SUFFIX);
    }

    /** Disk {@code index} of a VSI as the driver attaches it; only local volumes are served here. */
    public DiskAttachment attachment(int index, DiskSpec disk) {
        String at = "disks[" + index + "]";
        if (disk.getKind() != Volume.Kind.LOCAL) {
            throw FabricException.failedPrecondition("%s: volume %s is %s; this host serves LOCAL volumes only", at,
                    disk.getId(), disk.getKind());
        }
        if (!disk.getBus().isEmpty() && !"virtio".equals(disk.getBus())) {
            throw FabricException.invalidArgument(at + ".bus", "must be 'virtio' (got '%s')", disk.getBus());
        }
        long size = disk.getSizeBytes();
        if (size <= 0 || size > MAX_SIZE || size % MIB != 0) {
            throw FabricException.invalidArgument(at + ".size_bytes",
                    "must be a multiple of 1 MiB, 1 MiB .. 16 TiB (got %d)", size);
        }
        return new DiskAttachment("disk" + index, file(disk.getId()), size, disk.getReadonly(),
                DiskAttachment.serialOf(disk.getVolume()));
    }

    /**
     * Deletes every volume file whose id is not in {@code keep}: the volumes the scheduler lists for this host and
     * those its desired VSIs use. Returns the ids deleted. Files it does not recognise are left alone.
     */
    public List<String> sweep(Collection<String> keep) {
        Set<String> kept = new HashSet<>(keep);
        List<String> deleted = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return deleted;
        }
        try (DirectoryStream<Path> tenants = Files.newDirectoryStream(root)) {
            for (Path tenant : tenants) {
                if (!Files.isDirectory(tenant, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(tenant, "*" + SUFFIX)) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        String id = tenant.getFileName() + "/" + name.substring(0, name.length() - SUFFIX.length());
                        if (!kept.contains(id) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                            Files.deleteIfExists(file);
                            deleted.add(id);
                            LOG.info("volume {}: deleted {} (no longer held by this host)", id, file);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sweep " + root, e);
        }
        return deleted;
    }
}
