package dev.gatehouse.bench;

import dev.gatehouse.server.crypto.CryptoConfig;
import dev.gatehouse.server.crypto.CryptoConfig.ProviderSetting;
import dev.gatehouse.server.crypto.SignatureProviders;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under {@code TokenBenchmarks}' ES256 numbers: one raw ECDSA P-256 sign and verify
 * (SHA256withECDSAinP1363Format, the JWS signature format) of a token-sized message, nothing else,
 * with the JDK's providers or Amazon Corretto Crypto Provider (keys of its own making).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class EcdsaFloorBenchmarks {
    private static final String ALGORITHM = "SHA256withECDSAinP1363Format";

    @Param({"jdk", "accp"})
    public String provider;

    private Provider jca;
    private KeyPair keyPair;
    private byte[] message;
    private byte[] signature;

    @Setup
    public void setUp() throws Exception {
        jca = SignatureProviders.choose(new CryptoConfig(ProviderSetting.valueOf(provider.toUpperCase(Locale.ROOT))))
                .jca()
                .orElse(null);
        KeyPairGenerator generator = jca == null
                ? KeyPairGenerator.getInstance("EC")
                : KeyPairGenerator.getInstance("EC", jca);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keyPair = generator.generateKeyPair();
        message = "x".repeat(400).getBytes(StandardCharsets.US_ASCII); // about a JWS signing input
        signature = sign();
    }

    @Benchmark
    public byte[] sign() throws Exception {
        Signature signer = signature();
        signer.initSign(keyPair.getPrivate());
        signer.update(message);
        return signer.sign();
    }

    @Benchmark
    public boolean verify() throws Exception {
        Signature verifier = signature();
        verifier.initVerify(keyPair.getPublic());
        verifier.update(message);
        return verifier.verify(signature);
    }

    private Signature signature() throws Exception {
        return jca == null ? Signature.getInstance(ALGORITHM) : Signature.getInstance(ALGORITHM, jca);
    }
}
