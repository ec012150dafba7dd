package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void aRunDirOfTheAgentsOwnIsQemusOwnerWhenItDoesNotDrop() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("vm"));
        int uid = (Integer) Files.getAttribute(dir, "unix:uid");
        int gid = (Integer) Files.getAttribute(dir, "unix:gid");
        QemuIdentity owner = QemuIdentity.ofRunDir(dir);
        if (uid == 0 && gid != 0) {
            assertThat(owner).isEqualTo(new QemuIdentity(gid, gid));
        } else {
            assertThat(owner).isEqualTo(new QemuIdentity(uid, gid));
        }
        Path file = Files.writeString(dir.resolve("f"), "x");
        owner.chown(file); // already its own: needs no privilege
        assertThat((Integer) Files.getAttribute(file, "unix:uid")).isEqualTo(uid);
    }

    @Test
    void aRootRunDirGroupedToAVsiIdMeansQemuRunsAsThatIdAndChownLeavesLinkTargetsAlone() throws Exception {
        assumeTrue(ProcFs.isRoot(), "chown needs root");
        Path dir = Files.createDirectory(tmp.resolve("vm"));
        Files.setAttribute(dir, "unix:gid", 200_123);

        QemuIdentity qemu = QemuIdentity.ofRunDir(dir);
        assertThat(qemu).isEqualTo(new QemuIdentity(200_123, 200_123));

        Path target = Files.writeString(tmp.resolve("elsewhere"), "x");
        Path file = Files.writeString(dir.resolve("key.pem"), "k");
        Path link = Files.createSymbolicLink(dir.resolve("planted"), target);
        qemu.chown(file);
        qemu.chown(link);
        assertThat((Integer) Files.getAttribute(file, "unix:uid")).isEqualTo(200_123);
        assertThat((Integer) Files.getAttribute(file, "unix:gid")).isEqualTo(200_123);
        assertThat((Integer) Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(200_123);
        assertThat((Integer) Files.getAttribute(target, "unix:uid")).isZero();
        // The same identity as principals, for chowns through a directory handle.
        assertThat(Files.getOwner(file)).isEqualTo(qemu.owner());
        assertThat(Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class).group())
                .isEqualTo(qemu.group());
    }
}
