package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.ConfigKey.derived;
import static dev.gatehouse.server.config.ConfigKey.optional;
import static dev.gatehouse.server.config.ConfigKey.withDefault;

import dev.gatehouse.server.admin.AdminConfig;
import dev.gatehouse.server.byos.ByosConfig;
import dev.gatehouse.server.byos.ByosProvider;
import dev.gatehouse.server.console.ConsoleConfig;
import dev.gatehouse.server.gateway.devecho.DevEcho;
import dev.gatehouse.server.crypto.CryptoConfig;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.GatewayConfig;
import dev.gatehouse.server.gateway.limits.BudgetRule;
import dev.gatehouse.server.gateway.limits.BudgetsConfig;
import dev.gatehouse.server.gateway.limits.LimitsConfig;
import dev.gatehouse.server.gateway.limits.LimitsStoreConfig;
import dev.gatehouse.server.gateway.metering.UsageConfig;
import dev.gatehouse.server.http.HttpConfig;
import dev.gatehouse.server.identity.IdentityConfig;
import dev.gatehouse.server.identity.Topology;
import dev.gatehouse.server.logging.LoggingConfig;
import dev.gatehouse.server.pat.PatConfig;
import dev.gatehouse.server.sandbox.SandboxConfig;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.KubernetesSandboxConfig;
import dev.gatehouse.server.secrets.Secret;
import dev.gatehouse.server.store.StoreConfig;
import dev.gatehouse.server.tokens.KeysConfig;
import dev.gatehouse.server.tokens.SigningAlgorithm;
import dev.gatehouse.server.tokens.TokensConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every configuration key, in one table, and how their values assemble into a {@link GatehouseConfig}.
 * Range rules live in the configuration records' constructors; this table only parses.
 */
final class ConfigKeys {
    static final String GENERATED_KEK_FILE = "kek";
    static final String SQLITE_FILE = "gatehouse.db";

    static final ConfigKey<Boolean> PRODUCTION = withDefault("production", ValueType.BOOLEAN, false,
            GatehouseConfig::production,
            "Refuse development-only conveniences (see Production mode).");
    static final ConfigKey<Path> DATA_DIR = derived("dataDir", ValueType.PATH, "./data",
            settings -> Path.of("data").toAbsolutePath(), GatehouseConfig::dataDir,
            "Directory for embedded state (SQLite database, generated key-encryption key);"
                    + " relative to the working directory.");
    static final ConfigKey<Set<Role>> ROLES = withDefault("roles", ValueType.ROLES, EnumSet.allOf(Role.class),
            GatehouseConfig::roles,
            "Roles this process runs.");

    static final ConfigKey<String> SERVER_HOST = withDefault("server.host", ValueType.HOST, "127.0.0.1",
            config -> config.http().host(),
            "Address the HTTP server binds to.");
    static final ConfigKey<Integer> SERVER_PORT = withDefault("server.port", ValueType.integer("0..65535"), 8080,
            config -> config.http().port(),
            "Port the HTTP server binds to; 0 picks a free port.");
    static final ConfigKey<Integer> SERVER_MANAGEMENT_PORT = withDefault("server.managementPort",
            ValueType.integer("0..65535"), 9464, config -> config.http().managementPort(),
            "Port of the management listener on server.host, the only one serving GET /metrics (Prometheus);"
                    + " it answers /healthz and /readyz too. Not server.port; 0 picks a free port.");
    static final ConfigKey<URI> SERVER_PUBLIC_URL = derived("server.publicUrl", ValueType.HTTP_URL,
            "http://<server.host>:<server.port>",
            settings -> localUrl(settings.require(SERVER_HOST), settings.require(SERVER_PORT)),
            config -> config.http().publicUrl(),
            "Externally visible base URL of this server.");
    static final ConfigKey<Long> SERVER_MAX_BODY_BYTES = withDefault("server.maxBodyBytes", ValueType.SIZE,
            1024L * 1024, config -> config.http().maxBodyBytes(),
            "Largest accepted request body (at least 1KiB).");
    static final ConfigKey<Duration> SERVER_SHUTDOWN_TIMEOUT = withDefault("server.shutdownTimeout",
            ValueType.DURATION, Duration.ofSeconds(30), config -> config.http().shutdownTimeout(),
            "How long in-flight requests may take to finish on shutdown.");
    static final ConfigKey<Integer> SERVER_EVENT_LOOPS = withDefault("server.eventLoops", ValueType.integer("0..256"), 0,
            config -> config.http().eventLoops(),
            "Event loops serving HTTP, each with its own connections to the gateway's channels; 0 = one per core.");

    static final ConfigKey<String> STORE_URL = derived("store.url", ValueType.JDBC_URL,
            "jdbc:sqlite:<dataDir>/" + SQLITE_FILE,
            settings -> "jdbc:sqlite:" + settings.require(DATA_DIR).resolve(SQLITE_FILE),
            config -> config.store().jdbcUrl(),
            "JDBC URL of the database: embedded SQLite, or PostgreSQL.");
    static final ConfigKey<String> STORE_USERNAME = optional("store.username", ValueType.TEXT,
            config -> config.store().username(),
            "Database user, unless the URL carries it.");
    static final ConfigKey<Secret> STORE_PASSWORD = optional("store.password", ValueType.SECRET_TEXT,
            config -> config.store().password(),
            "Database password.");
    static final ConfigKey<String> STORE_SCHEMA = optional("store.schema", ValueType.TEXT,
            config -> config.store().schema(),
            "PostgreSQL schema to use, created if missing; ignored for SQLite.");
    static final ConfigKey<Integer> STORE_MAX_POOL_SIZE = withDefault("store.maxPoolSize", ValueType.integer("1..200"),
            10, config -> config.store().maxPoolSize(),
            "Upper bound of the database connection pool.");

    static final ConfigKey<SigningAlgorithm> KEYS_ALGORITHM = withDefault("keys.algorithm",
            ValueType.SIGNING_ALGORITHM, SigningAlgorithm.ES256, config -> config.keys().algorithm(),
            "Algorithm of newly generated signing keys.");
    static final ConfigKey<Secret> KEYS_KEK = optional("keys.kek", ValueType.KEK,
            config -> config.keys().keyEncryptionKey(),
            "AES-256 key encrypting signing keys at rest. Unset: one is generated into dataDir/"
                    + GENERATED_KEK_FILE + " (development only).");
    static final ConfigKey<Secret> KEYS_HS256_SECRET = optional("keys.hs256Secret", ValueType.SECRET_TEXT,
            config -> config.keys().hs256Secret(),
            "Shared secret (at least 32 bytes) enabling HS256 tokens for NewAPI interop.")
            .withEnvAlias("NEWAPI_TOKEN_SIGNING_KEY");
    static final ConfigKey<Duration> KEYS_REFRESH_INTERVAL = withDefault("keys.refreshInterval",
            ValueType.DURATION, Duration.ofSeconds(30), config -> config.keys().refreshInterval(),
            "How often a replica reloads signing keys from the store to see rotations.");

    static final ConfigKey<URI> TOKENS_ISSUER = derived("tokens.issuer", ValueType.HTTP_URL, "<server.publicUrl>",
            settings -> settings.require(SERVER_PUBLIC_URL), config -> config.tokens().issuer(),
            "The iss of every Gatehouse token and the base of its discovery URLs.");
    static final ConfigKey<Duration> TOKENS_MAX_TTL = withDefault("tokens.maxTtl", ValueType.DURATION,
            Duration.ofDays(90), config -> config.tokens().maxTokenTtl(),
            "Longest lifetime of any token Gatehouse mints; retired keys verify this long.");
    static final ConfigKey<Duration> TOKENS_CLOCK_SKEW = withDefault("tokens.clockSkew", ValueType.DURATION,
            Duration.ofSeconds(30), config -> config.tokens().clockSkew(),
            "Leeway for exp/nbf checks (at most 5m).");

    static final ConfigKey<CryptoConfig.ProviderSetting> CRYPTO_PROVIDER = withDefault("crypto.provider",
            ValueType.CRYPTO_PROVIDER, CryptoConfig.ProviderSetting.AUTO, config -> config.crypto().provider(),
            "JCA provider signing and verifying tokens: auto takes Amazon Corretto Crypto Provider (native) where"
                    + " it loads, else the JDK's; accp fails the start without it; jdk never loads it.");

    static final ConfigKey<LoggingConfig.Format> LOGGING_FORMAT = withDefault("logging.format",
            ValueType.LOG_FORMAT, LoggingConfig.Format.TEXT, config -> config.logging().format(),
            "text for people, json for log pipelines.");
    static final ConfigKey<String> LOGGING_LEVEL = withDefault("logging.level", ValueType.LOG_LEVEL, "INFO",
            config -> config.logging().level(),
            "Root log level.");
    static final ConfigKey<LoggingConfig.GatewayAccess> LOGGING_GATEWAY_ACCESS = withDefault("logging.gatewayAccess",
            ValueType.GATEWAY_ACCESS, LoggingConfig.GatewayAccess.FAILURES, config -> config.logging().gatewayAccess(),
            "Access-log lines for /v1/ calls: all, failures (4xx, 5xx, aborted) or none; each call also has a"
                    + " usage record and metrics. Other paths always get one.");

    static final ConfigKey<Topology> IDENTITY_TOPOLOGY = withDefault("identity.topology", ValueType.TOPOLOGY,
            Topology.PER_ORGANIZATION, config -> config.identity().topology(),
            "per-organization: one Keycloak per organization; shared-sovereign: one realm per organization,"
                    + " the realm name must equal the token's organization.");
    static final ConfigKey<List<URI>> IDENTITY_KEYCLOAK_ISSUERS = optional("identity.keycloak.issuers",
            ValueType.HTTP_URLS,
            config -> Optional.of(config.identity().issuers()).filter(issuers -> !issuers.isEmpty()),
            "Exact iss of every trusted Keycloak realm, e.g. https://sso.example.com/realms/acme; keys come"
                    + " from its OIDC discovery.");
    static final ConfigKey<String> IDENTITY_KEYCLOAK_AUDIENCE = optional("identity.keycloak.audience",
            ValueType.TEXT, config -> config.identity().audience(),
            "When set, Keycloak tokens must carry it in aud or azp; production requires it with issuers.");
    static final ConfigKey<Map<URI, String>> IDENTITY_KEYCLOAK_ORGANIZATIONS = optional(
            "identity.keycloak.organizations", ValueType.ISSUER_ORGANIZATIONS,
            config -> Optional.of(config.identity().organizations()).filter(map -> !map.isEmpty()),
            "Issuer → the one organization its tokens may name (per-organization topology; production requires"
                    + " every issuer bound).");
    static final ConfigKey<Map<String, Set<String>>> IDENTITY_ROLE_CAPABILITIES = optional(
            "identity.roleCapabilities", ValueType.ROLE_CAPABILITIES,
            config -> Optional.of(config.identity().roleCapabilities()).filter(map -> !map.isEmpty()),
            "Capabilities granted by Keycloak realm roles (role) and client roles (clientId/role); unset:"
                    + " gatehouse-user=llm:use;org-admin=org:admin;gatehouse-admin=gatehouse:admin.");
    static final ConfigKey<Duration> IDENTITY_KEYCLOAK_JWKS_REFRESH_MIN_INTERVAL = withDefault(
            "identity.keycloak.jwksRefreshMinInterval", ValueType.DURATION, Duration.ofSeconds(30),
            config -> config.identity().jwksRefreshMinInterval(),
            "Least time between JWKS refetches caused by unknown kids (1s..5m).");
    static final ConfigKey<Boolean> IDENTITY_LOCAL = withDefault("identity.local", ValueType.BOOLEAN, true,
            config -> config.identity().local(),
            "Allow local identities (development only): gatehouse session issue mints local session tokens, and the"
                    + " console offers a local sign-in to browsers on this machine (loopback).");
    static final ConfigKey<Duration> PAT_MAX_TTL = derived("pat.maxTtl", ValueType.DURATION,
            "90d, or tokens.maxTtl if shorter",
            settings -> shorter(Duration.ofDays(90), settings.require(TOKENS_MAX_TTL)), config -> config.pat().maxTtl(),
            "Longest lifetime a personal access token may be given (at most tokens.maxTtl).");
    static final ConfigKey<Duration> PAT_DEFAULT_TTL = derived("pat.defaultTtl", ValueType.DURATION,
            "7d, or pat.maxTtl if shorter",
            settings -> shorter(Duration.ofDays(7), settings.require(PAT_MAX_TTL)), config -> config.pat().defaultTtl(),
            "Lifetime of a personal access token whose request names no ttl (at most pat.maxTtl).");
    static final ConfigKey<List<String>> PAT_AUDIENCES = withDefault("pat.audiences", ValueType.TEXT_LIST,
            List.of("gateway", "newapi"), config -> config.pat().audiences(),
            "Audiences a personal access token may be minted for; the first is the default.");
    static final ConfigKey<String> PAT_BRIDGE_AUDIENCE = withDefault("pat.bridgeAudience", ValueType.TEXT, "newapi",
            config -> config.pat().bridgeAudience(),
            "Audience a personal access token needs to mint sandbox tokens for its own organization at"
                    + " POST /admin/tokens/sandbox.");
    static final ConfigKey<Duration> PAT_REVOCATION_POLL_INTERVAL = withDefault("pat.revocationPollInterval",
            ValueType.DURATION, Duration.ofSeconds(2), config -> config.pat().revocationPollInterval(),
            "How often every replica loads revocations made elsewhere (at most 5s).");
    static final ConfigKey<Duration> PAT_LAST_USED_FLUSH_INTERVAL = withDefault("pat.lastUsedFlushInterval",
            ValueType.DURATION, Duration.ofSeconds(30), config -> config.pat().lastUsedFlushInterval(),
            "How often the last use of personal access tokens is written to the store, in one batch.");
    static final ConfigKey<Integer> PAT_MAX_ACTIVE_PER_USER = withDefault("pat.maxActivePerUser",
            ValueType.integer("1..10000"), 100, config -> config.pat().maxActivePerUser(),
            "Most active personal access tokens one user may hold in one organization; one more is refused (409).");
    static final ConfigKey<Secret> ADMIN_SECRET = optional("admin.secret", ValueType.SECRET_TEXT,
            config -> config.admin().secret(),
            "Bearer secret (at least 32 bytes) of the admin API (audit log, any revocation). Unset: only"
                    + " service accounts (admin.serviceAccounts.*) are admitted; with none either, 503.")
            .withEnvAlias("NEWAPI_ADMIN_SECRET");
    static final ConfigKey<List<URI>> ADMIN_SERVICE_ACCOUNTS_ISSUERS = derived("admin.serviceAccounts.issuers",
            ValueType.HTTP_URLS, "<identity.keycloak.issuers>",
            settings -> settings.get(IDENTITY_KEYCLOAK_ISSUERS).orElse(List.of()),
            config -> config.admin().serviceAccounts().issuers(),
            "Exact iss of the Keycloak realms whose access tokens (service accounts, client credentials) the"
                    + " admin API accepts besides admin.secret.");
    static final ConfigKey<String> ADMIN_SERVICE_ACCOUNTS_MINTER_ROLE = withDefault(
            "admin.serviceAccounts.minterRole", ValueType.TEXT, AdminConfig.ServiceAccounts.DEFAULT_MINTER_ROLE,
            config -> config.admin().serviceAccounts().minterRole(),
            "Keycloak role (role or clientId/role) allowing POST /admin/tokens/sandbox.");
    static final ConfigKey<String> ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE = withDefault(
            "admin.serviceAccounts.adminRole", ValueType.TEXT, AdminConfig.ServiceAccounts.DEFAULT_ADMIN_ROLE,
            config -> config.admin().serviceAccounts().adminRole(),
            "Keycloak role (role or clientId/role) allowing every admin endpoint.");
    static final ConfigKey<String> ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER = withDefault(
            "admin.serviceAccounts.actingUserHeader", ValueType.TEXT,
            AdminConfig.ServiceAccounts.DEFAULT_ACTING_USER_HEADER,
            config -> config.admin().serviceAccounts().actingUserHeader(),
            "Header naming the user an admin caller acts for, recorded in the audit log (e.g. X-Backstage-User).");

    static final ConfigKey<List<ChannelConfig>> GATEWAY_CHANNELS = withDefault("gateway.channels",
            ValueType.GATEWAY_CHANNELS, List.of(), config -> config.gateway().channels(),
            "The gateway's upstreams; API keys are read from apiKeyFile or apiKeyEnv at start, never shown.");
    static final ConfigKey<Boolean> GATEWAY_DEV_CHANNEL = derived("gateway.devChannel", ValueType.BOOLEAN,
            "true, false in production", settings -> !settings.require(PRODUCTION),
            config -> DevEcho.inUse(config.gateway().channels()),
            "With gateway.channels and gateway.defaultProvider unset and a fixed server.port: route the gateway to"
                    + " Gatehouse's own development upstream (channel dev-echo, model echo), which repeats the prompt; not a"
                    + " model. Production refuses it.");
    static final ConfigKey<String> GATEWAY_DEFAULT_PROVIDER = optional("gateway.defaultProvider", ValueType.TEXT,
            config -> config.gateway().defaultProvider(),
            "Provider of requests without ?provider=; unset: any channel.");
    static final ConfigKey<Boolean> GATEWAY_ACCEPT_SESSIONS = withDefault("gateway.acceptSessions",
            ValueType.BOOLEAN, false, config -> config.gateway().acceptSessions(),
            "Accept session tokens at the gateway, besides sandbox tokens and PATs with audience gateway.");
    static final ConfigKey<Duration> GATEWAY_CONNECT_TIMEOUT = withDefault("gateway.connectTimeout",
            ValueType.DURATION, Duration.ofSeconds(5), config -> config.gateway().connectTimeout(),
            "Connecting to an upstream; a timeout fails over to the next channel.");
    static final ConfigKey<Duration> GATEWAY_FIRST_BYTE_TIMEOUT = withDefault("gateway.firstByteTimeout",
            ValueType.DURATION, Duration.ofSeconds(60), config -> config.gateway().firstByteTimeout(),
            "From sending a request upstream until its response headers arrive.");
    static final ConfigKey<Duration> GATEWAY_IDLE_TIMEOUT = withDefault("gateway.idleTimeout",
            ValueType.DURATION, Duration.ofSeconds(60), config -> config.gateway().idleTimeout(),
            "Longest silence of an upstream while its response streams.");
    static final ConfigKey<Long> GATEWAY_MAX_REQUEST_BYTES = withDefault("gateway.maxRequestBytes",
            ValueType.SIZE, GatewayConfig.DEFAULT_MAX_REQUEST_BYTES, config -> config.gateway().maxRequestBytes(),
            "Largest request body the gateway accepts (1KiB..64MiB); replaces server.maxBodyBytes on /v1/.");
    static final ConfigKey<Integer> GATEWAY_CHANNEL_FAILURE_THRESHOLD = withDefault(
            "gateway.channelFailureThreshold", ValueType.integer("1..1000"), 5,
            config -> config.gateway().channelFailureThreshold(),
            "Failures within gateway.channelFailureWindow that take a channel out.");
    static final ConfigKey<Duration> GATEWAY_CHANNEL_FAILURE_WINDOW = withDefault("gateway.channelFailureWindow",
            ValueType.DURATION, Duration.ofSeconds(30), config -> config.gateway().channelFailureWindow(),
            "Window in which channel failures are counted.");
    static final ConfigKey<Duration> GATEWAY_CHANNEL_PROBE_INTERVAL = withDefault("gateway.channelProbeInterval",
            ValueType.DURATION, Duration.ofSeconds(10), config -> config.gateway().channelProbeInterval(),
            "How often a channel that is out is probed (GET baseUrl + probePath); a 2xx answer brings it back.");
    static final ConfigKey<Integer> GATEWAY_MAX_CONNECTIONS_PER_CHANNEL = withDefault(
            "gateway.maxConnectionsPerChannel", ValueType.integer("1..10000"),
            GatewayConfig.DEFAULT_MAX_CONNECTIONS_PER_CHANNEL, config -> config.gateway().maxConnectionsPerChannel(),
            "Most connections (so requests in flight) to one channel at once.");
    static final ConfigKey<Integer> GATEWAY_MAX_WAITING_PER_CHANNEL = withDefault(
            "gateway.maxWaitingPerChannel", ValueType.integer("0..10000"),
            GatewayConfig.DEFAULT_MAX_WAITING_PER_CHANNEL,
            config -> config.gateway().maxWaitingPerChannel(),
            "Requests that may wait for a connection to a channel whose connections are all taken or being opened;"
                    + " beyond that a request fails over to the next channel, or gets 503 channels_busy.");
    static final ConfigKey<Long> GATEWAY_LIMITS_TOKEN_RPM = withDefault("gateway.limits.tokenRequestsPerMinute", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().tokenRequestsPerMinute(),
            "Requests one token may make in any 60 seconds (per replica, or across replicas with gateway.limits.store redis); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_TOKEN_TPM = withDefault("gateway.limits.tokenTokensPerMinute", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().tokenTokensPerMinute(),
            "Tokens (prompt + completion) one token may use in any 60 seconds (per replica, or across replicas with gateway.limits.store redis); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_ORG_RPM = withDefault("gateway.limits.orgRequestsPerMinute", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().orgRequestsPerMinute(),
            "Requests one organization may make in any 60 seconds (per replica, or across replicas with gateway.limits.store redis); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_ORG_TPM = withDefault("gateway.limits.orgTokensPerMinute", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().orgTokensPerMinute(),
            "Tokens one organization may use in any 60 seconds (per replica, or across replicas with gateway.limits.store redis); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_TOKEN_DAILY_BUDGET = withDefault("gateway.limits.tokenDailyTokenBudget", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().tokenDailyTokenBudget(),
            "Tokens one token may use per UTC day, across replicas (kept in the store); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_ORG_DAILY_BUDGET = withDefault("gateway.limits.orgDailyTokenBudget", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().orgDailyTokenBudget(),
            "Tokens one organization may use per UTC day, across replicas (kept in the store); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_TOKEN_TOTAL_BUDGET = withDefault("gateway.limits.tokenTotalTokenBudget", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().tokenTotalTokenBudget(),
            "Tokens one token may use in total, across replicas (kept in the store); 0: unlimited.");
    static final ConfigKey<Long> GATEWAY_LIMITS_ORG_TOTAL_BUDGET = withDefault("gateway.limits.orgTotalTokenBudget", ValueType.COUNT, 0L,
            config -> config.gatewayLimits().orgTotalTokenBudget(),
            "Tokens one organization may use in total, across replicas (kept in the store); 0: unlimited.");
    static final ConfigKey<LimitsStoreConfig.Store> GATEWAY_LIMITS_STORE = withDefault("gateway.limits.store",
            ValueType.LIMITS_STORE, LimitsStoreConfig.Store.LOCAL, config -> config.gatewayLimitsStore().store(),
            "Where the per-minute limits are kept: local (each replica on its own) or redis (shared by every"
                    + " replica; gateway.limits.redis.url).");
    static final ConfigKey<String> GATEWAY_LIMITS_REDIS_URL = optional("gateway.limits.redis.url", ValueType.TEXT,
            config -> config.gatewayLimitsStore().redis().url(),
            "Redis keeping the per-minute limits: redis://host[:port][/database] or rediss:// (TLS); no password in"
                    + " it.");
    static final ConfigKey<String> GATEWAY_LIMITS_REDIS_USERNAME = optional("gateway.limits.redis.username",
            ValueType.TEXT, config -> config.gatewayLimitsStore().redis().username(),
            "Redis ACL user, with gateway.limits.redis.password; unset: the default user.");
    static final ConfigKey<Secret> GATEWAY_LIMITS_REDIS_PASSWORD = optional("gateway.limits.redis.password",
            ValueType.SECRET_TEXT, config -> config.gatewayLimitsStore().redis().password(),
            "Redis password (AUTH).");
    static final ConfigKey<String> GATEWAY_LIMITS_REDIS_KEY_PREFIX = withDefault("gateway.limits.redis.keyPrefix",
            ValueType.TEXT, LimitsStoreConfig.Redis.DEFAULT_KEY_PREFIX,
            config -> config.gatewayLimitsStore().redis().keyPrefix(),
            "Put before every Redis key of the limits, so that several deployments can share one Redis.");
    static final ConfigKey<Duration> GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT = withDefault(
            "gateway.limits.redis.connectTimeout", ValueType.DURATION, LimitsStoreConfig.Redis.DEFAULT_CONNECT_TIMEOUT,
            config -> config.gatewayLimitsStore().redis().connectTimeout(),
            "Connecting to Redis (10ms..30s); until connected, Redis counts as unavailable.");
    static final ConfigKey<Duration> GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT = withDefault(
            "gateway.limits.redis.commandTimeout", ValueType.DURATION, LimitsStoreConfig.Redis.DEFAULT_COMMAND_TIMEOUT,
            config -> config.gatewayLimitsStore().redis().commandTimeout(),
            "Longest wait for Redis per admission (1ms..10s); past it, Redis counts as unavailable.");
    static final ConfigKey<LimitsStoreConfig.OnRedisUnavailable> GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE = withDefault(
            "gateway.limits.onRedisUnavailable", ValueType.ON_REDIS_UNAVAILABLE,
            LimitsStoreConfig.OnRedisUnavailable.CLOSED, config -> config.gatewayLimitsStore().onRedisUnavailable(),
            "With gateway.limits.store redis, while Redis does not answer: closed refuses requests (503"
                    + " rate_limits_unavailable), local admits them by each replica's own windows.");

    static final ConfigKey<List<BudgetRule>> GATEWAY_LIMITS_BUDGETS = withDefault("gateway.limits.budgets",
            ValueType.BUDGETS, List.of(), config -> config.gatewayBudgets().rules(),
            "Budgets in tokens or in spend (gateway.currency) per organization, user, sandbox or token, per UTC day,"
                    + " month or in total, across replicas (kept in the store); with subject, for that one only.");
    static final ConfigKey<Long> GATEWAY_LIMITS_DEFAULT_RESERVATION = withDefault("gateway.limits.defaultReservation",
            ValueType.COUNT, BudgetsConfig.DEFAULT_RESERVATION, config -> config.gatewayBudgets().defaultReservation(),
            "Completion tokens a budget reserves for a request that states no max_tokens; where its stream is cut.");
    static final ConfigKey<String> GATEWAY_CURRENCY = optional("gateway.currency", ValueType.CURRENCY,
            config -> config.gatewayBudgets().currency(),
            "ISO 4217 currency of channel prices and spend budgets, e.g. EUR; required once either is set.");

    static final ConfigKey<SandboxConfig.Backend> SANDBOX_BACKEND = withDefault("sandbox.backend",
            ValueType.SANDBOX_BACKEND, SandboxConfig.Backend.PROCESS, config -> config.sandbox().backend(),
            "Where sandboxes run: process (child processes of this Gatehouse, one replica, development) or"
                    + " kubernetes.");
    static final ConfigKey<UsageConfig.Durability> GATEWAY_USAGE_DURABILITY = withDefault("gateway.usage.durability",
            ValueType.USAGE_DURABILITY, UsageConfig.Durability.BATCHED, config -> config.gatewayUsage().durability(),
            "batched: a response ends at once, its usage record is written within gateway.usage.flushInterval"
                    + " (plus a commit) while the writer keeps up; strict: a response ends only once its usage record"
                    + " is committed (or spooled) durably.");
    static final ConfigKey<UsageConfig.OnStoreUnavailable> GATEWAY_USAGE_ON_STORE_UNAVAILABLE = withDefault(
            "gateway.usage.onStoreUnavailable", ValueType.USAGE_ON_STORE_UNAVAILABLE,
            UsageConfig.OnStoreUnavailable.SPOOL, config -> config.gatewayUsage().onStoreUnavailable(),
            "spool: usage records go to gateway.usage.spoolDir while the store is unreachable, and into the store"
                    + " when it is back; refuse: new gateway requests get 503 while the store is unreachable.");
    static final ConfigKey<Duration> GATEWAY_USAGE_FLUSH_INTERVAL = withDefault("gateway.usage.flushInterval",
            ValueType.DURATION, UsageConfig.DEFAULT_FLUSH_INTERVAL, config -> config.gatewayUsage().flushInterval(),
            "batched: longest time a usage record waits in memory before its batch is written (1ms..10s). With"
                    + " onStoreUnavailable spool, in either mode, a record that waited twice as long (at least 100ms) is"
                    + " spooled: the writer fell behind.");
    static final ConfigKey<Path> GATEWAY_USAGE_SPOOL_DIR = derived("gateway.usage.spoolDir", ValueType.PATH,
            "<dataDir>/" + UsageConfig.DEFAULT_SPOOL_DIR,
            settings -> settings.require(DATA_DIR).resolve(UsageConfig.DEFAULT_SPOOL_DIR),
            config -> config.gatewayUsage().spoolDir(),
            "Local directory of the usage spool (one per replica, on a persistent volume).");
    static final ConfigKey<Long> GATEWAY_USAGE_SPOOL_MAX_SIZE = withDefault("gateway.usage.spoolMaxSize",
            ValueType.SIZE, UsageConfig.DEFAULT_SPOOL_MAX_BYTES, config -> config.gatewayUsage().spoolMaxBytes(),
            "Largest size of the usage spool (at least 1MiB); records beyond it are dropped and counted.");

    static final ConfigKey<URI> SANDBOX_GATEWAY_URL = derived("sandbox.gatewayUrl", ValueType.HTTP_URL,
            "<server.publicUrl>/v1", settings -> gatewayUrl(settings.require(SERVER_PUBLIC_URL)),
            config -> config.sandbox().gatewayUrl(),
            "The LLM gateway's OpenAI base URL given to every sandbox (LLM_GATEWAY_URL), as sandboxes reach it.");
    static final ConfigKey<List<SandboxProfile>> SANDBOX_PROFILES = withDefault("sandbox.profiles",
            ValueType.SANDBOX_PROFILES, List.of(), config -> config.sandbox().profiles(),
            "Pod/runtime shapes a sandbox is started from; a profile named default always exists (every channel,"
                    + " the reference runtime, default resources) unless configured.");
    static final ConfigKey<Integer> SANDBOX_MAX_PER_USER = withDefault("sandbox.maxPerUser", ValueType.integer("1..1000"),
            5, config -> config.sandbox().maxPerUser(),
            "Live sandboxes one user may hold in one organization; one more is refused (409).");
    static final ConfigKey<Integer> SANDBOX_MAX_PER_ORGANIZATION = withDefault("sandbox.maxPerOrganization",
            ValueType.integer("1..100000"), 100, config -> config.sandbox().maxPerOrganization(),
            "Live sandboxes one organization may hold; one more is refused (409).");
    static final ConfigKey<Duration> SANDBOX_START_TIMEOUT = withDefault("sandbox.startTimeout", ValueType.DURATION,
            Duration.ofMinutes(2), config -> config.sandbox().startTimeout(),
            "How long a sandbox may take to become healthy before it is failed, removed and its token revoked.");
    static final ConfigKey<Duration> SANDBOX_IDLE_TIMEOUT = withDefault("sandbox.idleTimeout", ValueType.DURATION,
            Duration.ofMinutes(30), config -> config.sandbox().idleTimeout(),
            "A sandbox with no proxied traffic and no gateway calls for this long is stopped.");
    static final ConfigKey<Duration> SANDBOX_MAX_LIFETIME = withDefault("sandbox.maxLifetime", ValueType.DURATION,
            Duration.ofHours(12), config -> config.sandbox().maxLifetime(),
            "A sandbox running this long is stopped, however busy.");
    static final ConfigKey<Duration> SANDBOX_TOKEN_ROTATE_BEFORE = withDefault("sandbox.tokenRotateBefore",
            ValueType.DURATION, Duration.ofDays(1), config -> config.sandbox().tokenRotateBefore(),
            "A sandbox's gateway token is replaced this long before it expires (less than the token's lifetime).");
    static final ConfigKey<Duration> SANDBOX_REAP_INTERVAL = withDefault("sandbox.reapInterval", ValueType.DURATION,
            Duration.ofSeconds(30), config -> config.sandbox().reapInterval(),
            "How often idle, expired, stuck and due-for-rotation sandboxes are looked for.");
    static final ConfigKey<Duration> SANDBOX_GC_INTERVAL = withDefault("sandbox.gcInterval", ValueType.DURATION,
            Duration.ofMinutes(5), config -> config.sandbox().gcInterval(),
            "How often orphans are collected both ways (backend objects without a record, records without"
                    + " objects); also at start.");
    static final ConfigKey<String> SANDBOX_KUBERNETES_NAMESPACE = optional("sandbox.kubernetes.namespace",
            ValueType.TEXT, config -> config.sandbox().kubernetes().namespace(),
            "kubernetes backend: the namespace every sandbox is created in; required.");
    static final ConfigKey<String> SANDBOX_KUBERNETES_IMAGE = optional("sandbox.kubernetes.image", ValueType.TEXT,
            config -> config.sandbox().kubernetes().image(),
            "kubernetes backend: the runtime image of profiles that name none (pin it by digest).");
    static final ConfigKey<String> SANDBOX_KUBERNETES_GATEWAY_NAMESPACE = optional(
            "sandbox.kubernetes.gatewayNamespace", ValueType.TEXT,
            config -> config.sandbox().kubernetes().gatewayNamespace(),
            "kubernetes backend, sandbox egress: the namespace of the gateway's pods.");
    static final ConfigKey<Map<String, String>> SANDBOX_KUBERNETES_GATEWAY_POD_LABELS = optional(
            "sandbox.kubernetes.gatewayPodLabels", ValueType.LABELS,
            config -> Optional.of(config.sandbox().kubernetes().gatewayPodLabels()).filter(labels -> !labels.isEmpty()),
            "kubernetes backend, sandbox egress: labels selecting the gateway's pods.");
    static final ConfigKey<String> SANDBOX_KUBERNETES_GATEWAY_CIDR = optional("sandbox.kubernetes.gatewayCidr",
            ValueType.TEXT, config -> config.sandbox().kubernetes().gatewayCidr(),
            "kubernetes backend, sandbox egress: the gateway's address range, instead of namespace/pod labels.");
    static final ConfigKey<Integer> SANDBOX_KUBERNETES_GATEWAY_PORT = withDefault("sandbox.kubernetes.gatewayPort",
            ValueType.integer("1..65535"), KubernetesSandboxConfig.DEFAULT_GATEWAY_PORT,
            config -> config.sandbox().kubernetes().gatewayPort(),
            "kubernetes backend, sandbox egress: the port the gateway's pods (or the address range) listen on.");
    static final ConfigKey<String> SANDBOX_KUBERNETES_GATEHOUSE_NAMESPACE = optional(
            "sandbox.kubernetes.gatehouseNamespace", ValueType.TEXT,
            config -> config.sandbox().kubernetes().gatehouseNamespace(),
            "kubernetes backend, sandbox ingress: the namespace of Gatehouse's pods; unset: the sandboxes' namespace.");
    static final ConfigKey<Map<String, String>> SANDBOX_KUBERNETES_GATEHOUSE_POD_LABELS = withDefault(
            "sandbox.kubernetes.gatehousePodLabels", ValueType.LABELS,
            KubernetesSandboxConfig.DEFAULT_GATEHOUSE_POD_LABELS,
            config -> config.sandbox().kubernetes().gatehousePodLabels(),
            "kubernetes backend, sandbox ingress: labels selecting Gatehouse's pods, the only ones let in.");
    static final ConfigKey<String> SANDBOX_KUBERNETES_DNS_NAMESPACE = withDefault("sandbox.kubernetes.dnsNamespace",
            ValueType.TEXT, KubernetesSandboxConfig.DEFAULT_DNS_NAMESPACE,
            config -> config.sandbox().kubernetes().dnsNamespace(),
            "kubernetes backend, sandbox egress: the namespace of the cluster DNS pods.");
    static final ConfigKey<Map<String, String>> SANDBOX_KUBERNETES_DNS_POD_LABELS = withDefault(
            "sandbox.kubernetes.dnsPodLabels", ValueType.LABELS, KubernetesSandboxConfig.DEFAULT_DNS_POD_LABELS,
            config -> config.sandbox().kubernetes().dnsPodLabels(),
            "kubernetes backend, sandbox egress: labels selecting the cluster DNS pods.");
    static final ConfigKey<Integer> SANDBOX_KUBERNETES_RUN_AS_USER = withDefault("sandbox.kubernetes.runAsUser",
            ValueType.integer("1..2147483647"), (int) KubernetesSandboxConfig.DEFAULT_RUN_AS_USER,
            config -> (int) config.sandbox().kubernetes().runAsUser(),
            "kubernetes backend: the non-root user (and group) id the runtime runs as.");

    static final ConfigKey<List<ByosProvider>> BYOS_PROVIDERS = withDefault("byos.providers", ValueType.BYOS_PROVIDERS,
            List.of(), config -> config.byos().providers(),
            "LLM providers whose subscription users may connect (OAuth client, or a pasted key only); none by"
                    + " default: every provider answers 503.");
    static final ConfigKey<URI> BYOS_CONSOLE_URL = optional("byos.consoleUrl", ValueType.HTTP_URL,
            config -> config.byos().consoleUrl(),
            "Where the browser is sent back after connecting a subscription, with the outcome; unset: a short"
                    + " page of Gatehouse's own.");
    static final ConfigKey<Duration> BYOS_STATE_TTL = withDefault("byos.stateTtl", ValueType.DURATION,
            Duration.ofMinutes(10), config -> config.byos().stateTtl(),
            "How long a started connection may take to come back to /callback.");
    static final ConfigKey<Duration> BYOS_REFRESH_BEFORE = withDefault("byos.refreshBefore", ValueType.DURATION,
            Duration.ofMinutes(5), config -> config.byos().refreshBefore(),
            "A connected subscription's access token is refreshed this long before it expires (or half-way"
                    + " through its life, when that is sooner).");
    static final ConfigKey<Duration> BYOS_REFRESH_INTERVAL = withDefault("byos.refreshInterval", ValueType.DURATION,
            Duration.ofMinutes(1), config -> config.byos().refreshInterval(),
            "How often access tokens due for a refresh are looked for.");

    static final ConfigKey<Duration> CONSOLE_SESSION_TTL = withDefault("console.sessionTtl", ValueType.DURATION,
            Duration.ofHours(8), config -> config.console().sessionTtl(),
            "How long a web console session lasts after sign-in, however active; a role changed in Keycloak"
                    + " applies from the next sign-in.");
    static final ConfigKey<Duration> CONSOLE_IDLE_TIMEOUT = withDefault("console.idleTimeout", ValueType.DURATION,
            Duration.ofHours(1), config -> config.console().idleTimeout(),
            "A web console session unused this long ends (at most console.sessionTtl).");
    static final ConfigKey<String> CONSOLE_KEYCLOAK_CLIENT_ID = withDefault("console.keycloak.clientId",
            ValueType.TEXT, "gatehouse", config -> config.console().keycloakClientId(),
            "The client the web console signs users in with (authorization code + PKCE), in every realm of"
                    + " identity.keycloak.issuers; its redirect URI is <server.publicUrl>/console/callback.");
    static final ConfigKey<Secret> CONSOLE_KEYCLOAK_CLIENT_SECRET = optional("console.keycloak.clientSecret",
            ValueType.SECRET_TEXT, config -> config.console().keycloakClientSecret(),
            "That client's secret, when it is confidential; unset: a public client (the realm templates').");

    static final List<ConfigKey<?>> ALL = List.of(
            PRODUCTION, DATA_DIR, ROLES,
            SERVER_HOST, SERVER_PORT, SERVER_MANAGEMENT_PORT, SERVER_PUBLIC_URL, SERVER_MAX_BODY_BYTES,
            SERVER_SHUTDOWN_TIMEOUT, SERVER_EVENT_LOOPS,
            STORE_URL, STORE_USERNAME, STORE_PASSWORD, STORE_SCHEMA, STORE_MAX_POOL_SIZE,
            KEYS_ALGORITHM, KEYS_KEK, KEYS_HS256_SECRET, KEYS_REFRESH_INTERVAL,
            TOKENS_ISSUER, TOKENS_MAX_TTL, TOKENS_CLOCK_SKEW,
            CRYPTO_PROVIDER,
            LOGGING_FORMAT, LOGGING_LEVEL, LOGGING_GATEWAY_ACCESS,
            IDENTITY_TOPOLOGY, IDENTITY_KEYCLOAK_ISSUERS, IDENTITY_KEYCLOAK_AUDIENCE, IDENTITY_ROLE_CAPABILITIES,
            IDENTITY_KEYCLOAK_JWKS_REFRESH_MIN_INTERVAL, IDENTITY_LOCAL, IDENTITY_KEYCLOAK_ORGANIZATIONS,
            PAT_DEFAULT_TTL, PAT_MAX_TTL, PAT_AUDIENCES, PAT_REVOCATION_POLL_INTERVAL, PAT_LAST_USED_FLUSH_INTERVAL,
            PAT_MAX_ACTIVE_PER_USER, PAT_BRIDGE_AUDIENCE,
            ADMIN_SECRET, ADMIN_SERVICE_ACCOUNTS_ISSUERS, ADMIN_SERVICE_ACCOUNTS_MINTER_ROLE,
            ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE, ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER,
            GATEWAY_CHANNELS, GATEWAY_DEV_CHANNEL, GATEWAY_DEFAULT_PROVIDER, GATEWAY_ACCEPT_SESSIONS, GATEWAY_CONNECT_TIMEOUT,
            GATEWAY_FIRST_BYTE_TIMEOUT, GATEWAY_IDLE_TIMEOUT, GATEWAY_MAX_REQUEST_BYTES,
            GATEWAY_CHANNEL_FAILURE_THRESHOLD, GATEWAY_CHANNEL_FAILURE_WINDOW, GATEWAY_CHANNEL_PROBE_INTERVAL,
            GATEWAY_MAX_CONNECTIONS_PER_CHANNEL, GATEWAY_MAX_WAITING_PER_CHANNEL,
            GATEWAY_LIMITS_TOKEN_RPM, GATEWAY_LIMITS_TOKEN_TPM, GATEWAY_LIMITS_ORG_RPM, GATEWAY_LIMITS_ORG_TPM,
            GATEWAY_LIMITS_TOKEN_DAILY_BUDGET, GATEWAY_LIMITS_ORG_DAILY_BUDGET, GATEWAY_LIMITS_TOKEN_TOTAL_BUDGET,
            GATEWAY_LIMITS_ORG_TOTAL_BUDGET, GATEWAY_LIMITS_BUDGETS, GATEWAY_LIMITS_DEFAULT_RESERVATION, GATEWAY_CURRENCY,
            GATEWAY_LIMITS_STORE, GATEWAY_LIMITS_REDIS_URL, GATEWAY_LIMITS_REDIS_USERNAME, GATEWAY_LIMITS_REDIS_PASSWORD,
            GATEWAY_LIMITS_REDIS_KEY_PREFIX, GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT, GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT,
            GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE,
            GATEWAY_USAGE_DURABILITY, GATEWAY_USAGE_ON_STORE_UNAVAILABLE, GATEWAY_USAGE_FLUSH_INTERVAL,
            GATEWAY_USAGE_SPOOL_DIR, GATEWAY_USAGE_SPOOL_MAX_SIZE,
            SANDBOX_BACKEND, SANDBOX_GATEWAY_URL, SANDBOX_PROFILES, SANDBOX_MAX_PER_USER, SANDBOX_MAX_PER_ORGANIZATION,
            SANDBOX_START_TIMEOUT, SANDBOX_IDLE_TIMEOUT, SANDBOX_MAX_LIFETIME, SANDBOX_TOKEN_ROTATE_BEFORE,
            SANDBOX_REAP_INTERVAL, SANDBOX_GC_INTERVAL,
            SANDBOX_KUBERNETES_NAMESPACE, SANDBOX_KUBERNETES_IMAGE, SANDBOX_KUBERNETES_GATEWAY_NAMESPACE,
            SANDBOX_KUBERNETES_GATEWAY_POD_LABELS, SANDBOX_KUBERNETES_GATEWAY_CIDR, SANDBOX_KUBERNETES_GATEWAY_PORT,
            SANDBOX_KUBERNETES_GATEHOUSE_NAMESPACE, SANDBOX_KUBERNETES_GATEHOUSE_POD_LABELS,
            SANDBOX_KUBERNETES_DNS_NAMESPACE, SANDBOX_KUBERNETES_DNS_POD_LABELS, SANDBOX_KUBERNETES_RUN_AS_USER,
            BYOS_PROVIDERS, BYOS_CONSOLE_URL, BYOS_STATE_TTL, BYOS_REFRESH_BEFORE, BYOS_REFRESH_INTERVAL,
            CONSOLE_SESSION_TTL, CONSOLE_IDLE_TIMEOUT, CONSOLE_KEYCLOAK_CLIENT_ID, CONSOLE_KEYCLOAK_CLIENT_SECRET);

    private ConfigKeys() {}

    /**
     * Builds the configuration records; their constructors throw {@link IllegalArgumentException} on
     * range violations.
     */
    static GatehouseConfig assemble(Settings settings) {
        Path dataDir = settings.require(DATA_DIR);
        return new GatehouseConfig(
                settings.require(PRODUCTION),
                dataDir,
                settings.require(ROLES),
                new HttpConfig(
                        settings.require(SERVER_HOST),
                        settings.require(SERVER_PORT),
                        settings.require(SERVER_MANAGEMENT_PORT),
                        settings.require(SERVER_PUBLIC_URL),
                        settings.require(SERVER_MAX_BODY_BYTES),
                        settings.require(SERVER_SHUTDOWN_TIMEOUT),
                        settings.require(SERVER_EVENT_LOOPS)),
                new StoreConfig(
                        settings.require(STORE_URL),
                        settings.get(STORE_USERNAME),
                        settings.get(STORE_PASSWORD),
                        settings.get(STORE_SCHEMA),
                        settings.require(STORE_MAX_POOL_SIZE)),
                new KeysConfig(
                        settings.require(KEYS_ALGORITHM),
                        settings.get(KEYS_KEK),
                        dataDir.resolve(GENERATED_KEK_FILE),
                        settings.get(KEYS_HS256_SECRET),
                        settings.require(KEYS_REFRESH_INTERVAL)),
                new TokensConfig(
                        settings.require(TOKENS_ISSUER),
                        settings.require(TOKENS_MAX_TTL),
                        settings.require(TOKENS_CLOCK_SKEW)),
                new CryptoConfig(settings.require(CRYPTO_PROVIDER)),
                new LoggingConfig(settings.require(LOGGING_FORMAT), settings.require(LOGGING_LEVEL),
                        settings.require(LOGGING_GATEWAY_ACCESS)),
                new IdentityConfig(
                        settings.require(IDENTITY_TOPOLOGY),
                        settings.require(IDENTITY_LOCAL),
                        settings.get(IDENTITY_KEYCLOAK_ISSUERS).orElse(List.of()),
                        settings.get(IDENTITY_KEYCLOAK_AUDIENCE),
                        settings.get(IDENTITY_ROLE_CAPABILITIES).orElse(Map.of()),
                        settings.require(IDENTITY_KEYCLOAK_JWKS_REFRESH_MIN_INTERVAL),
                        settings.get(IDENTITY_KEYCLOAK_ORGANIZATIONS).orElse(Map.of())),
                new PatConfig(
                        settings.require(PAT_DEFAULT_TTL),
                        settings.require(PAT_MAX_TTL),
                        settings.require(PAT_AUDIENCES),
                        settings.require(PAT_REVOCATION_POLL_INTERVAL),
                        settings.require(PAT_LAST_USED_FLUSH_INTERVAL),
                        settings.require(PAT_MAX_ACTIVE_PER_USER),
                        settings.require(PAT_BRIDGE_AUDIENCE)),
                new AdminConfig(settings.get(ADMIN_SECRET), new AdminConfig.ServiceAccounts(
                        settings.require(ADMIN_SERVICE_ACCOUNTS_ISSUERS),
                        settings.require(ADMIN_SERVICE_ACCOUNTS_MINTER_ROLE),
                        settings.require(ADMIN_SERVICE_ACCOUNTS_ADMIN_ROLE),
                        settings.require(ADMIN_SERVICE_ACCOUNTS_ACTING_USER_HEADER))),
                new GatewayConfig(
                        channels(settings),
                        settings.get(GATEWAY_DEFAULT_PROVIDER),
                        settings.require(GATEWAY_ACCEPT_SESSIONS),
                        settings.require(GATEWAY_CONNECT_TIMEOUT),
                        settings.require(GATEWAY_FIRST_BYTE_TIMEOUT),
                        settings.require(GATEWAY_IDLE_TIMEOUT),
                        settings.require(GATEWAY_MAX_REQUEST_BYTES),
                        settings.require(GATEWAY_CHANNEL_FAILURE_THRESHOLD),
                        settings.require(GATEWAY_CHANNEL_FAILURE_WINDOW),
                        settings.require(GATEWAY_CHANNEL_PROBE_INTERVAL),
                        settings.require(GATEWAY_MAX_CONNECTIONS_PER_CHANNEL),
                        settings.require(GATEWAY_MAX_WAITING_PER_CHANNEL)),
                new LimitsConfig(
                        settings.require(GATEWAY_LIMITS_TOKEN_RPM),
                        settings.require(GATEWAY_LIMITS_TOKEN_TPM),
                        settings.require(GATEWAY_LIMITS_ORG_RPM),
                        settings.require(GATEWAY_LIMITS_ORG_TPM),
                        settings.require(GATEWAY_LIMITS_TOKEN_DAILY_BUDGET),
                        settings.require(GATEWAY_LIMITS_ORG_DAILY_BUDGET),
                        settings.require(GATEWAY_LIMITS_TOKEN_TOTAL_BUDGET),
                        settings.require(GATEWAY_LIMITS_ORG_TOTAL_BUDGET)),
                new BudgetsConfig(
                        settings.require(GATEWAY_LIMITS_DEFAULT_RESERVATION),
                        settings.require(GATEWAY_LIMITS_BUDGETS),
                        settings.get(GATEWAY_CURRENCY)),
                new LimitsStoreConfig(
                        settings.require(GATEWAY_LIMITS_STORE),
                        new LimitsStoreConfig.Redis(
                                settings.get(GATEWAY_LIMITS_REDIS_URL),
                                settings.get(GATEWAY_LIMITS_REDIS_USERNAME),
                                settings.get(GATEWAY_LIMITS_REDIS_PASSWORD),
                                settings.require(GATEWAY_LIMITS_REDIS_KEY_PREFIX),
                                settings.require(GATEWAY_LIMITS_REDIS_CONNECT_TIMEOUT),
                                settings.require(GATEWAY_LIMITS_REDIS_COMMAND_TIMEOUT)),
                        settings.require(GATEWAY_LIMITS_ON_REDIS_UNAVAILABLE)),
                new UsageConfig(
                        settings.require(GATEWAY_USAGE_DURABILITY),
                        settings.require(GATEWAY_USAGE_ON_STORE_UNAVAILABLE),
                        settings.require(GATEWAY_USAGE_FLUSH_INTERVAL),
                        settings.require(GATEWAY_USAGE_SPOOL_DIR),
                        settings.require(GATEWAY_USAGE_SPOOL_MAX_SIZE)),
                new SandboxConfig(
                        settings.require(SANDBOX_BACKEND),
                        settings.require(SANDBOX_GATEWAY_URL),
                        settings.require(SANDBOX_PROFILES),
                        settings.require(SANDBOX_MAX_PER_USER),
                        settings.require(SANDBOX_MAX_PER_ORGANIZATION),
                        settings.require(SANDBOX_START_TIMEOUT),
                        settings.require(SANDBOX_IDLE_TIMEOUT),
                        settings.require(SANDBOX_MAX_LIFETIME),
                        settings.require(SANDBOX_TOKEN_ROTATE_BEFORE),
                        settings.require(SANDBOX_REAP_INTERVAL),
                        settings.require(SANDBOX_GC_INTERVAL),
                        new KubernetesSandboxConfig(
                                settings.get(SANDBOX_KUBERNETES_NAMESPACE),
                                settings.get(SANDBOX_KUBERNETES_IMAGE),
                                settings.get(SANDBOX_KUBERNETES_GATEWAY_NAMESPACE),
                                settings.get(SANDBOX_KUBERNETES_GATEWAY_POD_LABELS).orElse(Map.of()),
                                settings.get(SANDBOX_KUBERNETES_GATEWAY_CIDR),
                                settings.require(SANDBOX_KUBERNETES_GATEWAY_PORT),
                                settings.get(SANDBOX_KUBERNETES_GATEHOUSE_NAMESPACE),
                                settings.require(SANDBOX_KUBERNETES_GATEHOUSE_POD_LABELS),
                                settings.require(SANDBOX_KUBERNETES_DNS_NAMESPACE),
                                settings.require(SANDBOX_KUBERNETES_DNS_POD_LABELS),
                                settings.require(SANDBOX_KUBERNETES_RUN_AS_USER))),
                new ByosConfig(
                        settings.require(BYOS_PROVIDERS),
                        settings.get(BYOS_CONSOLE_URL),
                        settings.require(BYOS_STATE_TTL),
                        settings.require(BYOS_REFRESH_BEFORE),
                        settings.require(BYOS_REFRESH_INTERVAL)),
                new ConsoleConfig(
                        settings.require(CONSOLE_SESSION_TTL),
                        settings.require(CONSOLE_IDLE_TIMEOUT),
                        settings.require(CONSOLE_KEYCLOAK_CLIENT_ID),
                        settings.get(CONSOLE_KEYCLOAK_CLIENT_SECRET)));
    }

    /** {@code publicUrl} + {@code /v1}: where a sandbox reaches the gateway by default. */
    private static URI gatewayUrl(URI publicUrl) {
        String base = publicUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1");
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** {@code gateway.channels}, or the development channel when it is empty and asked for. */
    private static List<ChannelConfig> channels(Settings settings) {
        List<ChannelConfig> channels = settings.require(GATEWAY_CHANNELS);
        int port = settings.require(SERVER_PORT);
        if (channels.isEmpty() && settings.get(GATEWAY_DEFAULT_PROVIDER).isEmpty() && settings.require(GATEWAY_DEV_CHANNEL)
                && port != 0) {
            return List.of(DevEcho.channel(settings.require(SERVER_HOST), port));
        }
        return channels;
    }

    private static URI localUrl(String host, int port) {
        try {
            return new URI("http", null, host, port, null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("server.host was validated as a host: " + host, e);
        }
    }
}
