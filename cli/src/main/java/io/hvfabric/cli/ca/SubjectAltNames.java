package io.hvfabric.cli.ca;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/** Validates and assembles a certificate's subject alternative names. */
final class SubjectAltNames {
    private static final Pattern DNS_NAME =
            Pattern.compile("(?=.{1,253}$)(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final String LOOPBACK_IP = "127.0.0.1";
    private static final String LOOPBACK_NAME = "localhost";

    private final List<String> ips;
    private final List<String> dnsNames;

    private SubjectAltNames(List<String> ips, List<String> dnsNames) {
        this.ips = ips;
        this.dnsNames = dnsNames;
    }

    /**
     * Server roles but migration always get 127.0.0.1 and localhost so local tools and co-located peers can
     * verify them; duplicates are dropped, order is kept.
     */
    static SubjectAltNames of(Role role, List<String> ips, List<String> dnsNames) {
        Set<String> ipSet = new LinkedHashSet<>();
        Set<String> dnsSet = new LinkedHashSet<>();
        for (String ip : ips) {
            String trimmed = ip.trim();
            if (!IPAddress.isValid(trimmed)) {
                throw new IllegalArgumentException("ip: '" + ip + "' is not an IPv4 or IPv6 address literal");
            }
            ipSet.add(trimmed);
        }
        for (String dns : dnsNames) {
            String trimmed = dns.trim().toLowerCase(Locale.ROOT);
            if (!DNS_NAME.matcher(trimmed).matches()) {
                throw new IllegalArgumentException("dns: '" + dns + "' is not a valid DNS name (letters, digits, '-' and '.')");
            }
            dnsSet.add(trimmed);
        }
        if (role == Role.MIGRATION && ipSet.isEmpty()) {
            throw new IllegalArgumentException("ip: a migration certificate needs the host's IP (--ip): a migration "
                    + "source checks its target against it");
        }
        if (role.addsLoopbackNames()) {
            ipSet.add(LOOPBACK_IP);
            dnsSet.add(LOOPBACK_NAME);
        }
        return new SubjectAltNames(List.copyOf(ipSet), List.copyOf(dnsSet));
    }

    boolean isEmpty() {
        return ips.isEmpty() && dnsNames.isEmpty();
    }

    GeneralNames toGeneralNames() {
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }
}
