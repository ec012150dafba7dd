package io.hvfabric.cli.ca;

import java.util.regex.Pattern;

/** Certificate names double as file names in the CA directory, so they are kept to a safe alphabet. */
final class CertificateNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private CertificateNames() {}

    static void requireValidName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: must be 1-63 characters of letters, digits, '.', '_' or '-'"
                    + " starting with a letter or digit, got '" + name + "'");
        }
        if (name.equals(FabricCa.CA_NAME)) {
            throw new IllegalArgumentException("name: 'ca' is reserved for the CA's own files");
        }
    }
}
