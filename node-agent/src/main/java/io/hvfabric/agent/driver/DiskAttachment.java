package io.hvfabric.agent.driver;

import io.hvfabric.common.error.FabricException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One virtio-blk disk backed by a qcow2 file on this host. The driver creates the file at {@code sizeBytes} when it is
 * missing (grows it when smaller), hands it to the VSI's uid, and attaches it with {@code -blockdev} (a file node and a
 * qcow2 node named {@code nodeName}) and {@code -device virtio-blk-pci} with {@code serial}, which the guest sees as
 * {@code /sys/block/vdX/serial}.
 *
 * @param nodeName QEMU block node name, unique within the VSI and the same on every host (by disk index: "disk0")
 * @param file absolute path of the qcow2 image, without commas
 * @param sizeBytes the virtual size the guest sees
 * @param serial the volume's name, at most 20 characters (virtio-blk's serial field)
 */
public record DiskAttachment(String nodeName, Path file, long sizeBytes, boolean readonly, String serial) {
    /** VIRTIO_BLK_ID_BYTES. */
    public static final int MAX_SERIAL = 20;
    /** QEMU's node names hold 31 characters. */
    private static final Pattern NODE = Pattern.compile("[a-z][a-z0-9]{0,30}");
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_SERIAL + "}");

    public DiskAttachment {
        if (nodeName == null || !NODE.matcher(nodeName).matches()) {
            throw FabricException.invalidArgument("disk.node_name", "must be a lowercase letter then up to 30 "
                    + "lowercase letters or digits (got '%s')", String.valueOf(nodeName));
        }
        if (file == null || !file.isAbsolute() || file.toString().contains(",")) {
            throw FabricException.invalidArgument("disk.file", "must be an absolute path without commas (got '%s')",
                    String.valueOf(file));
        }
        if (sizeBytes <= 0 || sizeBytes % (1L << 20) != 0) {
            throw FabricException.invalidArgument("disk.size_bytes", "must be a positive multiple of 1 MiB (got %d)",
                    sizeBytes);
        }
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            throw FabricException.invalidArgument("disk.serial", "must be 1-%d characters of [A-Za-z0-9_.-] (got "
                    + "'%s')", MAX_SERIAL, String.valueOf(serial));
        }
    }

    /** A volume name cut to the serial's 20 characters. */
    public static String serialOf(String volume) {
        return volume.length() <= MAX_SERIAL ? volume : volume.substring(0, MAX_SERIAL);
    }
}
