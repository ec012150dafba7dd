package io.hvfabric.scheduler.vsi;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.ImageRules;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.view.ClusterView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Named guest images: a kernel, an initramfs and a base command line, at paths every host has, and whether the image
 * runs a guest agent. The {@code default} image (built by images/build-image) is recorded by the first leader, so it
 * exists out of the box.
 */
public final class ImageCatalog {
    static final String DEFAULT_CMDLINE = "console=ttyS0 panic=-1 quiet";
    static final String FEATURES = "features";
    static final String GUEST_AGENT = "guest-agent";

    private final ClusterView view;
    private final Keys keys;
    private final FencedWriter writer;
    private final Path imageDir;

    public ImageCatalog(ClusterView view, Keys keys, FencedWriter writer, Path imageDir) {
        this.view = view;
        this.keys = keys;
        this.writer = writer;
        this.imageDir = imageDir;
    }

    /**
     * Records the default image if it is missing, or refreshes it when its files (if this replica has them) now say
     * otherwise, e.g. a rebuilt image that gained a guest agent; harmless to repeat (compare on absence, or on the
     * revision read).
     */
    public void ensureDefault(Term term) {
        Image image = defaultImage(imageDir);
        var current = view.image(VsiSpecs.DEFAULT_IMAGE);
        if (current.isEmpty()) {
            put(term, image, new Cmp(key(image), Cmp.Op.EQUAL, CmpTarget.version(0)));
        } else if (!current.get().value().equals(image) && Files.isDirectory(imageDir.resolve(VsiSpecs.DEFAULT_IMAGE))) {
            put(term, image, new Cmp(key(image), Cmp.Op.EQUAL, CmpTarget.modRevision(current.get().modRevision())));
        }
    }

    /**
     * The default image as images/build-image leaves it in {@code <imageDir>/default/}: vmlinuz, initrd.gz, cmdline,
     * and {@code features}, one word a line ({@code guest-agent}: the initramfs runs a guest agent responder).
     */
    static Image defaultImage(Path imageDir) {
        Path dir = imageDir.resolve(VsiSpecs.DEFAULT_IMAGE);
        return Image.newBuilder()
                .setName(VsiSpecs.DEFAULT_IMAGE)
                .setKernel(dir.resolve("vmlinuz").toString())
                .setInitrd(dir.resolve("initrd.gz").toString())
                .setCmdline(readCmdline(dir.resolve("cmdline")))
                .setGuestAgent(readFeatures(dir.resolve(FEATURES)).contains(GUEST_AGENT))
                .build();
    }

    /**
     * Records a new image. Its kernel and initrd must lie inside the image directory (relative to it, or absolute
     * under it); each agent checks again, symbolic links resolved, against its own {@code --image-dir}.
     */
    public Image register(Term term, Image image) {
        ImageRules.validate(image, imageDir);
        if (view.image(image.getName()).isPresent()) {
            throw FabricException.alreadyExists("image", image.getName());
        }
        Image stored = image.getCmdline().isEmpty() ? image.toBuilder().setCmdline(DEFAULT_CMDLINE).build() : image;
        if (!put(term, stored, new Cmp(key(stored), Cmp.Op.EQUAL, CmpTarget.version(0)))) {
            throw FabricException.alreadyExists("image", image.getName());
        }
        return stored;
    }

    private ByteSequence key(Image image) {
        return keys.of(Keys.Kind.IMAGE, image.getName());
    }

    private boolean put(Term term, Image image, Cmp expected) {
        FencedWriter.Outcome outcome = writer.commit(term, List.of(expected),
                List.of(Op.put(key(image), RecordCodec.encode(image), PutOption.DEFAULT)));
        view.awaitRevision(outcome.revision(), 5000);
        return outcome.committed();
    }

    /** Words of a features file, one a line; blank lines and {@code #} comments are skipped. Missing: none. */
    private static Set<String> readFeatures(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    private static String readCmdline(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? DEFAULT_CMDLINE : text;
        } catch (IOException e) {
            return DEFAULT_CMDLINE;
        }
    }
}
