package dev.gatehouse.runtime;

import java.io.IOException;
import java.util.List;

/**
 * The sandbox runtime's entry point: reads the environment ({@link RuntimeConfig#fromEnvironment}),
 * prints one line per problem to stderr and exits 2 when it is invalid, exits 1 when it cannot listen,
 * else logs one line to stdout (where it listens, and the gateway or the credential's source, never a
 * token) and serves until SIGTERM.
 */
public final class Main {
    /** The JVM options Gatehouse launches the runtime with (measured in runtime/README.md). */
    public static final List<String> RECOMMENDED_JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC",
            "-Xms8m",
            "-Xmx32m",
            "-Xss256k",
            "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=48m",
            "-XX:CICompilerCount=1");

    private Main() {
    }

    public static void main(String[] args) {
        RuntimeConfig config;
        try {
            config = RuntimeConfig.fromEnvironment(System.getenv());
        } catch (InvalidConfigurationException e) {
            e.problems().forEach(problem -> System.err.println("gatehouse-runtime: " + problem));
            System.exit(2);
            return;
        }
        // Without it the JDK server leaves Nagle on, which can hold back small SSE events.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        SandboxRuntime runtime;
        try {
            runtime = SandboxRuntime.start(config);
        } catch (IOException e) {
            System.err.println("gatehouse-runtime: cannot listen on " + config.host() + ":" + config.port() + ": " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "gatehouse-runtime-shutdown"));
        System.out.println("gatehouse-runtime listening on " + config.host() + ":" + runtime.port() + "; " + describe(config.llm()));
    }

    private static String describe(LlmAccess llm) {
        if (llm instanceof LlmAccess.Subscription subscription) {
            return "no gateway; subscription credential from "
                    + (subscription.credentialFile() != null ? subscription.credentialFile() : "$" + subscription.variable());
        }
        LlmAccess.Gateway gateway = (LlmAccess.Gateway) llm;
        return "gateway " + gateway.url() + "; token from " + (gateway.tokenFile() != null ? gateway.tokenFile() : "environment");
    }
}
