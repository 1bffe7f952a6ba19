package dev.gatehouse.server.config;

import dev.gatehouse.server.byos.ByosProvider;
import dev.gatehouse.server.crypto.CryptoConfig;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.limits.BudgetRule;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.gateway.metering.UsageConfig;
import dev.gatehouse.server.identity.Topology;
import dev.gatehouse.server.logging.LoggingConfig;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.tokens.KeysConfig;
import dev.gatehouse.server.tokens.SigningAlgorithm;
import dev.gatehouse.server.units.Quantities;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How one kind of configuration value is read from text and shown again.
 *
 * @param name short name for the documentation's type column
 * @param expected the accepted form, quoted in problem messages
 * @param parser text to value; throws {@link IllegalArgumentException} on bad input. For secret
 *     types the exception message is shown to the operator, so it must never contain the input
 * @param formatter value to text that {@code parser} reads back; secret types show {@code (set)}
 * @param list whether a YAML sequence is accepted (its items are joined with commas)
 * @param secret whether values are secrets: never echoed, settable from files
 * @param mapping whether a YAML mapping is accepted: {@code key: [a, b]} entries become the text
 *     {@code key=a,b}, joined with {@code ;}
 * @param structured whether the value is JSON: a YAML list or mapping is handed to the parser as its
 *     JSON text, and the parser's messages (which must never quote a secret) are shown as they are,
 *     each starting with the position within the value ({@code [2].baseUrl: ...}) or {@code ": "}
 */
record ValueType<T>(
        String name,
        String expected,
        Function<String, T> parser,
        Function<T, String> formatter,
        boolean list,
        boolean secret,
        boolean mapping,
        boolean structured) {

    static final ValueType<Boolean> BOOLEAN =
            plain("boolean", "true or false", ValueType::parseBoolean, String::valueOf);
    static final ValueType<String> TEXT = plain("text", "text", Function.identity(), Function.identity());
    static final ValueType<String> HOST =
            plain("host", "host name or IP address", ValueType::parseHost, Function.identity());
    static final ValueType<Path> PATH = plain("path", "file system path", ValueType::parsePath, Path::toString);
    static final ValueType<URI> HTTP_URL =
            plain("URL", "absolute http or https URL", ValueType::parseHttpUrl, URI::toString);
    /** Shown with passwords (userinfo, {@code password=} parameters) redacted: never echoed by config check. */
    static final ValueType<String> JDBC_URL = plain("JDBC URL", "jdbc:sqlite:... or jdbc:postgresql://...",
            Function.identity(), StoreConfig::redacted);
    static final ValueType<Long> SIZE = plain("size", "size in bytes, e.g. 1048576, 512KiB, 1MiB or 10MB",
            Quantities::parseSize, Quantities::formatSize);
    static final ValueType<Long> COUNT = plain("count", "whole number >= 0 (0 = unlimited)",
            ValueType::parseCount, String::valueOf);
    static final ValueType<Duration> DURATION = plain("duration",
            "duration with a unit (ms, s, m, h or d, e.g. 30s) or ISO-8601 (e.g. PT30S)",
            Quantities::parseDuration, Quantities::formatDuration);
    static final ValueType<Set<Role>> ROLES = new ValueType<>("list of roles",
            "comma-separated list of auth, gateway, sandbox, byos", ValueType::parseRoles, ValueType::formatRoles,
            true, false);
    static final ValueType<SigningAlgorithm> SIGNING_ALGORITHM = plain("ES256 or EdDSA", "ES256 or EdDSA",
            text -> SigningAlgorithm.fromName(text.strip()).orElseThrow(IllegalArgumentException::new), Enum::name);
    static final ValueType<CryptoConfig.ProviderSetting> CRYPTO_PROVIDER = plain("auto, jdk or accp",
            "auto, jdk or accp",
            text -> CryptoConfig.ProviderSetting.fromConfigName(text.strip().toLowerCase(Locale.ROOT))
                    .orElseThrow(IllegalArgumentException::new),
            CryptoConfig.ProviderSetting::configName);
    static final ValueType<LoggingConfig.Format> LOG_FORMAT = plain("text or json", "text or json",
            text -> LoggingConfig.Format.valueOf(text.strip().toUpperCase(Locale.ROOT)),
            format -> format.name().toLowerCase(Locale.ROOT));
    static final ValueType<LoggingConfig.GatewayAccess> GATEWAY_ACCESS = plain("gateway access log",
            "all, failures or none",
            text -> LoggingConfig.GatewayAccess.valueOf(text.strip().toUpperCase(Locale.ROOT)),
            access -> access.name().toLowerCase(Locale.ROOT));
    static final ValueType<String> LOG_LEVEL = plain("log level", "TRACE, DEBUG, INFO, WARN or ERROR",
            text -> text.strip().toUpperCase(Locale.ROOT), Function.identity());
    static final ValueType<List<String>> TEXT_LIST = new ValueType<>("list of text",
            "comma-separated list of non-empty names", ValueType::parseTextList, values -> String.join(",", values),
            true, false);
    static final ValueType<Secret> SECRET_TEXT = secret("secret text", "text", Secret::of);
    static final ValueType<Secret> KEK = secret("secret, base64", KeysConfig.KEK_BYTES + " bytes, base64",
            ValueType::parseKek);

    static final ValueType<Topology> TOPOLOGY = plain("per-organization or shared-sovereign",
            "per-organization or shared-sovereign",
            text -> Topology.fromConfigName(text.strip().toLowerCase(Locale.ROOT))
                    .orElseThrow(IllegalArgumentException::new),
            Topology::configName);
    static final ValueType<List<URI>> HTTP_URLS = new ValueType<>("list of URLs",
            "comma-separated list of absolute http or https URLs", ValueType::parseHttpUrls,
            urls -> urls.stream().map(URI::toString).collect(Collectors.joining(",")), true, false);
    static final ValueType<Map<String, Set<String>>> ROLE_CAPABILITIES = new ValueType<>("role → capabilities",
            "role=capability,capability;role=capability (YAML: a mapping of role to a list of capabilities)",
            ValueType::parseRoleCapabilities, ValueType::formatRoleCapabilities, false, false, true, false);
    static final ValueType<List<ChannelConfig>> GATEWAY_CHANNELS = new ValueType<>("list of channels",
            "a list of {name, provider, baseUrl, apiKeyFile | apiKeyEnv, models[], weight, priority, probePath,"
                    + " organizations[]}"
                    + " (environment: the same as JSON)",
            ChannelsValue::parse, ChannelsValue::format, false, false, false, true);
    static final ValueType<UsageConfig.Durability> USAGE_DURABILITY =
            lowerCaseEnum(UsageConfig.Durability.class, "batched or strict");
    static final ValueType<UsageConfig.OnStoreUnavailable> USAGE_ON_STORE_UNAVAILABLE =
            lowerCaseEnum(UsageConfig.OnStoreUnavailable.class, "spool or refuse");

    static final ValueType<List<BudgetRule>> BUDGETS = new ValueType<>("list of budgets",
            "a list of {scope: organization|user|sandbox|token, period: daily|monthly|total, tokens | spend, subject}"
                    + " (environment: the same as JSON)",
            BudgetsValue::parse, BudgetsValue::format, false, false, false, true);
    static final ValueType<String> CURRENCY = plain("currency", "an ISO 4217 code, e.g. EUR",
            text -> text.strip().toUpperCase(Locale.ROOT), Function.identity());
    static final ValueType<LimitsStoreConfig.Store> LIMITS_STORE = plain("local or redis", "local or redis",
            text -> LimitsStoreConfig.Store.valueOf(text.strip().toUpperCase(Locale.ROOT)),
            LimitsStoreConfig.Store::configName);
    static final ValueType<LimitsStoreConfig.OnRedisUnavailable> ON_REDIS_UNAVAILABLE = plain("closed or local",
            "closed or local",
            text -> LimitsStoreConfig.OnRedisUnavailable.valueOf(text.strip().toUpperCase(Locale.ROOT)),
            LimitsStoreConfig.OnRedisUnavailable::configName);

    static final ValueType<SandboxConfig.Backend> SANDBOX_BACKEND = plain("process or kubernetes", "process or kubernetes",
            text -> SandboxConfig.Backend.fromConfigName(text.strip().toLowerCase(Locale.ROOT))
                    .orElseThrow(IllegalArgumentException::new),
            SandboxConfig.Backend::configName);
    static final ValueType<List<SandboxProfile>> SANDBOX_PROFILES = new ValueType<>("list of profiles",
            "a list of {name, channels[], model, image, runtimeClass, resources{}, volume{}, command[], port,"
                    + " tokenDelivery} (environment: the same as JSON)",
            SandboxProfilesValue::parse, SandboxProfilesValue::format, false, false, false, true);
    static final ValueType<List<ByosProvider>> BYOS_PROVIDERS = new ValueType<>("list of providers",
            "a list of {name, authorizeUrl, tokenUrl, revocationUrl, clientId, clientSecretEnv | clientSecretFile,"
                    + " scopes[], redirectUri, sandboxVariable, apiCidrs[], apiPort} (environment: the same as JSON)",
            ByosProvidersValue::parse, ByosProvidersValue::format, false, false, false, true);
    /** Kubernetes labels: {@code name=value;name=value}; names and values are checked by the record using them. */
    static final ValueType<Map<String, String>> LABELS = new ValueType<>("labels",
            "name=value;name=value (YAML: a mapping of label name to value)",
            ValueType::parseLabels, ValueType::formatLabels, false, false, true, false);

    static final ValueType<Map<URI, String>> ISSUER_ORGANIZATIONS = new ValueType<>("issuer → organization",
            "issuer=organization;issuer=organization (YAML: a mapping of issuer URL to organization id)",
            ValueType::parseIssuerOrganizations, ValueType::formatIssuerOrganizations, false, false, true, false);

    /** An enum named in the configuration by its constants' lower-case names; {@code names} lists them. */
    private static <E extends Enum<E>> ValueType<E> lowerCaseEnum(Class<E> type, String names) {
        return plain(names, names, text -> Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT)),
                value -> value.name().toLowerCase(Locale.ROOT));
    }

    /** A type that does not accept YAML mappings. */
    ValueType(String name, String expected, Function<String, T> parser, Function<T, String> formatter,
            boolean list, boolean secret) {
        this(name, expected, parser, formatter, list, secret, false, false);
    }

    static ValueType<Integer> integer(String range) {
        return plain("integer " + range, "integer " + range, text -> Integer.parseInt(text.strip()), String::valueOf);
    }

    T parse(String text) {
        return parser.apply(text);
    }

    String format(T value) {
        return formatter.apply(value);
    }

    private static <T> ValueType<T> plain(
            String name, String expected, Function<String, T> parser, Function<T, String> formatter) {
        return new ValueType<>(name, expected, parser, formatter, false, false, false, false);
    }

    private static ValueType<Secret> secret(String name, String expected, Function<String, Secret> parser) {
        return new ValueType<>(name, expected, parser, secret -> "(set)", false, true, false, false);
    }

    private static long parseCount(String text) {
        String digits = text.strip().replace("_", "");
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException();
        }
        return Long.parseLong(digits);
    }

    private static boolean parseBoolean(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException();
        };
    }

    private static String parseHost(String text) {
        String host = text.strip();
        try {
            new URI("http", null, host, 80, null, null, null).parseServerAuthority();
            return host;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Path parsePath(String text) {
        try {
            return Path.of(text.strip()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static URI parseHttpUrl(String text) {
        try {
            URI uri = new URI(text.strip()).parseServerAuthority();
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<URI> parseHttpUrls(String text) {
        List<URI> urls = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                urls.add(parseHttpUrl(item));
            }
        }
        return List.copyOf(urls);
    }

    /** {@code role=cap,cap;role2=cap}; whitespace around names is ignored, empty entries skipped. */
    private static Map<String, Set<String>> parseRoleCapabilities(String text) {
        Map<String, Set<String>> map = new LinkedHashMap<>();
        for (String entry : text.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException();
            }
            String role = entry.substring(0, eq).strip();
            Set<String> capabilities = new LinkedHashSet<>();
            for (String capability : entry.substring(eq + 1).split(",")) {
                if (!capability.isBlank()) {
                    capabilities.add(capability.strip());
                }
            }
            if (map.put(role, capabilities) != null) {
                throw new IllegalArgumentException();
            }
        }
        return map;
    }

    private static String formatRoleCapabilities(Map<String, Set<String>> map) {
        return map.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + String.join(",", entry.getValue()))
                .collect(Collectors.joining(";"));
    }

    /** {@code issuer=org;issuer=org}: issuers are http(s) URLs without query, so the first {@code =} splits. */
    private static Map<URI, String> parseIssuerOrganizations(String text) {
        Map<URI, String> map = new LinkedHashMap<>();
        for (String entry : text.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.substring(eq + 1).isBlank()) {
                throw new IllegalArgumentException();
            }
            if (map.put(parseHttpUrl(entry.substring(0, eq)), entry.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException();
            }
        }
        return map;
    }

    private static String formatIssuerOrganizations(Map<URI, String> map) {
        return map.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(";"));
    }

    private static Set<Role> parseRoles(String text) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : text.split(",")) {
            String trimmed = name.strip().toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                roles.add(Role.fromConfigName(trimmed).orElseThrow(IllegalArgumentException::new));
            }
        }
        return roles;
    }

    private static String formatRoles(Set<Role> roles) {
        return roles.stream().sorted().map(Role::configName).collect(Collectors.joining(","));
    }

    private static List<String> parseTextList(String text) {
        List<String> values = new ArrayList<>();
        for (String item : text.split(",")) {
            String trimmed = item.strip();
            if (!trimmed.isEmpty() && !values.contains(trimmed)) {
                values.add(trimmed);
            }
        }
        return List.copyOf(values);
    }

    private static Map<String, String> parseLabels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String entry : text.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || labels.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException();
            }
        }
        return labels;
    }

    private static String formatLabels(Map<String, String> labels) {
        return labels.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(";"));
    }

    private static Secret parseKek(String text) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64");
        }
        if (key.length != KeysConfig.KEK_BYTES) {
            throw new IllegalArgumentException(key.length + " bytes");
        }
        return Secret.ofBytes(key);
    }
}
