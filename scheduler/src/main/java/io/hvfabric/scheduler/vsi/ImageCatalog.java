package io.hvfabric.scheduler.vsi;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
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

/**
 * Named guest images: a kernel, an initramfs and a base command line, at paths every host has. The {@code default}
 * image (built by images/build-image) is recorded by the first leader, so it exists out of the box.
 */
public final class ImageCatalog {
    static final String DEFAULT_CMDLINE = "console=ttyS0 panic=-1 quiet";

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

    /** Records the default image if it is missing; harmless to repeat (compare on absence). */
    public void ensureDefault(Term term) {
        if (view.image(VsiSpecs.DEFAULT_IMAGE).isPresent()) {
            return;
        }
        Path dir = imageDir.resolve(VsiSpecs.DEFAULT_IMAGE);
        Image image = Image.newBuilder()
                .setName(VsiSpecs.DEFAULT_IMAGE)
                .setKernel(dir.resolve("vmlinuz").toString())
                .setInitrd(dir.resolve("initrd.gz").toString())
                .setCmdline(readCmdline(dir.resolve("cmdline")))
                .build();
        put(term, image);
    }

    public Image register(Term term, Image image) {
        VsiSpecs.requireDnsLabel("name", image.getName());
        requireAbsolute("kernel", image.getKernel());
        requireAbsolute("initrd", image.getInitrd());
        if (image.getCmdline().chars().anyMatch(c -> c < 0x20)) {
            throw FabricException.invalidArgument("cmdline", "must not contain control characters");
        }
        if (view.image(image.getName()).isPresent()) {
            throw FabricException.alreadyExists("image", image.getName());
        }
        Image stored = image.getCmdline().isEmpty() ? image.toBuilder().setCmdline(DEFAULT_CMDLINE).build() : image;
        if (!put(term, stored)) {
            throw FabricException.alreadyExists("image", image.getName());
        }
        return stored;
    }

    private boolean put(Term term, Image image) {
        ByteSequence key = keys.of(Keys.Kind.IMAGE, image.getName());
        FencedWriter.Outcome outcome = writer.commit(term,
                List.of(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))),
                List.of(Op.put(key, RecordCodec.encode(image), PutOption.DEFAULT)));
        view.awaitRevision(outcome.revision(), 5000);
        return outcome.committed();
    }

    private static void requireAbsolute(String field, String path) {
        if (path.isEmpty() || !Path.of(path).isAbsolute()) {
            throw FabricException.invalidArgument(field, "must be an absolute path on the hosts (got '%s')", path);
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
