package io.hvfabric.agent.driver.qemu;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * The uid and gid a VSI's QEMU runs as, read back from its run directory, for files the agent prepares for QEMU to
 * read itself (migration TLS credentials).
 *
 * <p>A run directory owned by root and grouped to a VSI's id is {@link QemuDriver}'s mark of a QEMU that runs as that
 * id, as uid and gid alike ({@link VsiIdPool}). Any other run directory is owned by the user QEMU runs as: the
 * agent's own when it is not root.
 */
public record QemuIdentity(int uid, int gid) {
    public static QemuIdentity ofRunDir(Path runDir) throws IOException {
        int uid = (Integer) Files.getAttribute(runDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(runDir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        return uid == 0 && gid != 0 ? new QemuIdentity(gid, gid) : new QemuIdentity(uid, gid);
    }

    /**
     * The uid as a principal, for chowns through a directory handle. Looked up by number: {@link HostAccounts} keeps
     * local names that look like an id of the range away, so the number cannot resolve to another account.
     */
    public UserPrincipal owner() throws IOException {
        return lookup().lookupPrincipalByName(Integer.toString(uid));
    }

    public GroupPrincipal group() throws IOException {
        return lookup().lookupPrincipalByGroupName(Integer.toString(gid));
    }

    private static UserPrincipalLookupService lookup() {
        return FileSystems.getDefault().getUserPrincipalLookupService();
    }

    /** Gives {@code path} (itself, never a link's target) to this identity; needs no privilege if it has it already. */
    public void chown(Path path) throws IOException {
        if ((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid) {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if ((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS) != gid) {
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
