package dev.gatehouse.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} and {@code --flag} command-line arguments of the load-test mains. */
final class Args {
    private Args() {
    }

    static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("argument " + i + ": " + argv[i] + " (expected: --name [value])");
            }
            String name = argv[i].substring(2);
            boolean hasValue = i + 1 < argv.length && !argv[i + 1].startsWith("--");
            args.put(name, hasValue ? argv[++i] : "true");
        }
        return args;
    }

    static int intArg(Map<String, String> args, String name, int fallback) {
        String value = args.get(name);
        return value == null ? fallback : Integer.parseInt(value.replace("_", ""));
    }

    static String stringArg(Map<String, String> args, String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }
}
