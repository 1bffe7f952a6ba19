package dev.gatehouse.bench;

import dev.gatehouse.sdk.claims.Claims;
import dev.gatehouse.sdk.claims.TokenType;
import dev.gatehouse.sdk.verify.TokenRejectedException;
import dev.gatehouse.sdk.verify.TokenVerifier;
import dev.gatehouse.server.Infrastructure;
import dev.gatehouse.server.config.ConfigLoader;
import dev.gatehouse.server.config.GatehouseConfig;
import dev.gatehouse.server.tokens.Hs256TokenMinter;
import dev.gatehouse.server.tokens.MintRequest;
import dev.gatehouse.server.tokens.TokenMinter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mint and verify throughput of each supported algorithm through Gatehouse's real code paths: the
 * server's minters (key ring loaded from a real embedded store) and the SDK's verifier, with the
 * signature provider {@code crypto.provider} chooses ({@code jdk} or {@code accp}; HS256 uses neither).
 *
 * <p>{@code verify} is a cold verification, as of a token seen for the first time: the verifier has
 * no token cache (the gateway's {@code CachingTokenVerifier} is not in the path), so every call checks
 * the signature, and it cycles through {@value #TOKENS} distinct tokens.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class TokenBenchmarks {
    private static final String ISSUER = "https://gatehouse.bench";
    private static final String HS256_SECRET = "bench-only-hs256-secret-0123456789abcdef";
    private static final int TOKENS = 1024;

    @Param({"ES256", "EdDSA", "HS256"})
    public String algorithm;

    @Param({"jdk", "accp"})
    public String provider;

    private Path dataDir;
    private Infrastructure infrastructure;
    private TokenMinter minter;
    private TokenVerifier verifier;
    private MintRequest request;
    private String[] tokens;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("gatehouse-bench");
        GatehouseConfig config = ConfigLoader.load(null, Map.of(
                "GATEHOUSE_DATA_DIR", dataDir.toString(),
                "GATEHOUSE_TOKENS_ISSUER", ISSUER,
                "GATEHOUSE_KEYS_ALGORITHM", algorithm.equals("HS256") ? "ES256" : algorithm,
                "GATEHOUSE_CRYPTO_PROVIDER", provider,
                "NEWAPI_TOKEN_SIGNING_KEY", HS256_SECRET));
        infrastructure = Infrastructure.open(config, Clock.systemUTC());
        minter = algorithm.equals("HS256")
                ? Hs256TokenMinter.of(config.keys().hs256Secret().orElseThrow(), config.tokens(), Clock.systemUTC())
                : infrastructure.signingTokenMinter(Clock.systemUTC());
        verifier = infrastructure.tokenVerifier(Optional.of(ISSUER));
        request = new MintRequest(TokenType.SESSION, "alice", List.of(ISSUER), Duration.ofHours(1),
                Map.of("org_id", "acme", "groups", List.of("dev"), "capabilities", List.of("pat:create")));
        tokens = new String[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = minter.mint(request).token();
            verifier.verify(tokens[i]); // fail fast if the pair does not agree
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        infrastructure.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public String mint() {
        return minter.mint(request).token();
    }

    @Benchmark
    public Claims verify() throws TokenRejectedException {
        String token = tokens[next];
        next = (next + 1) % TOKENS;
        return verifier.verify(token);
    }
}
