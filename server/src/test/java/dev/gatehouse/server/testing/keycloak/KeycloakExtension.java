package dev.gatehouse.server.testing.keycloak;

import dev.gatehouse.server.identity.Topology;
import dev.gatehouse.server.keycloak.RealmParameters;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts ONE real Keycloak per test JVM, shared by every test class that uses this extension,
 * and stops it when the test run ends (a JVM shutdown hook stops it too if the run is cut short).
 * If Keycloak cannot start, every test that needs it fails with the tail of Keycloak's log; it is
 * never skipped.
 *
 * <p>Use it either way:
 * <pre>{@code
 * @ExtendWith(KeycloakExtension.class)
 * class MyTest {
 *     @Test void t(Keycloak keycloak) { ... }          // or a constructor / @BeforeAll parameter
 * }
 *
 * class MyTest {
 *     @RegisterExtension static final KeycloakExtension KEYCLOAK = new KeycloakExtension();
 *     @Test void t() { KEYCLOAK.keycloak().issuer(KeycloakExtension.ACME); }
 * }
 * }</pre>
 *
 * <p>Imported at start-up from the project's templates (see {@link Keycloak}): realms {@link #ACME}
 * and {@link #GLOBEX} (shared-sovereign, realm name = organization id) and
 * {@link #PER_ORGANIZATION} (per-organization template). The distribution is the one
 * {@code server/pom.xml} unpacks into {@code target/keycloak}; Keycloak's output goes to
 * {@code target/keycloak/keycloak.log}. Start-up takes tens of seconds: the first test class pays it.
 */
public final class KeycloakExtension implements BeforeAllCallback, ParameterResolver {
    /** Shared-sovereign realm and organization {@code acme}. */
    public static final String ACME = "acme";
    /** Shared-sovereign realm and organization {@code globex}. */
    public static final String GLOBEX = "globex";
    /** Realm (and organization) rendered from the per-organization template. */
    public static final String PER_ORGANIZATION = "initech";

    static final List<RealmParameters> REALMS = List.of(
            RealmParameters.of(Topology.SHARED_SOVEREIGN, ACME).withDisplayName("Acme Corporation"),
            RealmParameters.of(Topology.SHARED_SOVEREIGN, GLOBEX).withDisplayName("Globex"),
            RealmParameters.of(Topology.PER_ORGANIZATION, PER_ORGANIZATION).withDisplayName("Initech"));

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeycloakExtension.class);

    private volatile Keycloak keycloak;

    @Override
    public void beforeAll(ExtensionContext context) {
        keycloak = shared(context);
    }

    /** The shared Keycloak; for {@code @RegisterExtension} fields, valid from {@code @BeforeAll} on. */
    public Keycloak keycloak() {
        Keycloak started = keycloak;
        if (started == null) {
            throw new IllegalStateException("Keycloak not started yet: register KeycloakExtension on a static field");
        }
        return started;
    }

    /** The shared Keycloak, started on first use; for other extensions. */
    public static Keycloak shared(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Started.class, key -> Started.start(), Started.class)
                .keycloak();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Keycloak.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return shared(context);
    }

    /**
     * The outcome of the one start attempt, kept in the root store: a failed start is reported to
     * every test class instead of being retried (each attempt costs a minute). Closed by JUnit at
     * the end of the run.
     */
    private record Started(Keycloak started, RuntimeException failure)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        static Started start() {
            try {
                return new Started(KeycloakLauncher.start(REALMS), null);
            } catch (RuntimeException e) {
                return new Started(null, e);
            }
        }

        Keycloak keycloak() {
            if (failure != null) {
                throw new IllegalStateException("Keycloak could not start: " + failure.getMessage(), failure);
            }
            return started;
        }

        @Override
        public void close() {
            if (started != null) {
                started.stop();
            }
        }
    }
}
