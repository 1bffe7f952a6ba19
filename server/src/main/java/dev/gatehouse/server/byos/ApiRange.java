package dev.gatehouse.server.byos;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks an address range a BYOS sandbox's NetworkPolicy lets it reach ({@code apiCidrs}): a numeric
 * IPv4 or IPv6 CIDR, not broader than a /8 (IPv4) or /16 (IPv6) — an operator listing a provider's
 * API, not opening the world — and not covering the cloud metadata address 169.254.169.254.
 */
final class ApiRange {
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final int METADATA = 0xA9FEA9FE;

    private ApiRange() {}

    /** Why {@code cidr} is not acceptable, or empty when it is. */
    static Optional<String> problem(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return Optional.of("expected: an address range such as 203.0.113.0/24");
        }
        String address = cidr.substring(0, slash);
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return Optional.of("expected: an address range such as 203.0.113.0/24");
        }
        if (IPV4.matcher(address).matches()) {
            if (prefix < 8 || prefix > 32) {
                return Optional.of("expected: a prefix of 8..32 bits; a broader range is not a provider's API");
            }
            int mask = prefix == 32 ? -1 : ~(-1 >>> prefix);
            return (ipv4(address) & mask) == (METADATA & mask)
                    ? Optional.of("expected: a range without the cloud metadata address 169.254.169.254")
                    : Optional.empty();
        }
        if (address.contains(":") && IPV6.matcher(address).matches() && isIpv6(address)) {
            return prefix < 16 || prefix > 128
                    ? Optional.of("expected: a prefix of 16..128 bits; a broader range is not a provider's API")
                    : Optional.empty();
        }
        return Optional.of("expected: an address range such as 203.0.113.0/24");
    }

    private static int ipv4(String address) {
        int value = 0;
        for (String part : address.split("\\.")) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    /** A numeric IPv6 literal (the pattern keeps host names out, so nothing is looked up). */
    private static boolean isIpv6(String address) {
        try {
            return InetAddress.getByName(address) instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
