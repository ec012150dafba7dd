package io.hvfabric.cli.options;

import picocli.CommandLine;

/** The version from the jar manifest when packaged with one, otherwise a development marker. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"hvctl " + (version == null ? "(development build)" : version)};
    }
}
