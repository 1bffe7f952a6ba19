package dev.gatehouse.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.gatehouse.server.crypto.CryptoConfig.ProviderSetting;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.security.Security;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SignatureProvidersTest {
    private static final String ACCP_PACKAGE = "com.amazon.corretto.crypto.provider.";

    @Test
    void auto_whereAccpLoads_choosesIt_withoutInstallingItForTheJvm() {
        SignatureProvider chosen = SignatureProviders.choose(new CryptoConfig(ProviderSetting.AUTO));

        assertThat(chosen.name()).isEqualTo("accp");
        assertThat(chosen.version()).isEqualTo("2.5.0");
        assertThat(chosen.reason()).isEqualTo("auto: ACCP loaded and passed its self-tests");
        assertThat(chosen.jca()).get().extracting(provider -> provider.getName())
                .isEqualTo("AmazonCorrettoCryptoProvider");
        assertThat(Security.getProvider("AmazonCorrettoCryptoProvider")).isNull();
    }

    @Test
    void accp_whereItLoads_isChosen() {
        SignatureProvider chosen = SignatureProviders.choose(new CryptoConfig(ProviderSetting.ACCP));

        assertThat(chosen.name()).isEqualTo("accp");
        assertThat(chosen.reason()).isEqualTo("accp: configured");
    }

    @Test
    void auto_whereAccpIsUnavailable_fallsBackToTheJdk_sayingWhy() {
        SignatureProvider chosen = SignatureProviders.choose(ProviderSetting.AUTO, reason -> {
            throw new Accp.Unavailable("its native library does not load: no libamazonCorrettoCryptoProvider");
        });

        assertThat(chosen.name()).isEqualTo("jdk");
        assertThat(chosen.version()).isEqualTo(Runtime.version().toString());
        assertThat(chosen.jca()).isEmpty();
        assertThat(chosen.reason()).isEqualTo("auto: ACCP unavailable on this platform (its native library does not"
                + " load: no libamazonCorrettoCryptoProvider)");
    }

    @Test
    void accp_whereItIsUnavailable_failsTheStart_namingTheKeyAndWhy() {
        assertThatIllegalStateException()
                .isThrownBy(() -> SignatureProviders.choose(ProviderSetting.ACCP, reason -> {
                    throw new Accp.Unavailable("its self-tests fail: ECDSA");
                }))
                .withMessage("crypto.provider: accp (expected: auto or jdk where Amazon Corretto Crypto Provider"
                        + " cannot be used; here its self-tests fail: ECDSA)");
    }

    @Test
    void jdk_neverAsksForAccp() {
        SignatureProvider chosen = SignatureProviders.choose(ProviderSetting.JDK, reason -> {
            throw new AssertionError("ACCP loaded for crypto.provider: jdk");
        });

        assertThat(chosen.name()).isEqualTo("jdk");
        assertThat(chosen.jca()).isEmpty();
    }

    @Test
    void jdk_loadsNoClassOfAccp_whereAutoDoes() throws Exception {
        assertThat(accpClassesRequested(ProviderSetting.JDK)).isEmpty();
        assertThat(accpClassesRequested(ProviderSetting.AUTO)).contains(ACCP_PACKAGE + "AmazonCorrettoCryptoProvider");
    }

    /**
     * Runs {@link SignatureProviders#choose(CryptoConfig)} in a class loader of its own that defines
     * this package's classes itself, so every class they resolve is asked of it: the ACCP classes
     * among those.
     */
    private static Set<String> accpClassesRequested(ProviderSetting setting) throws Exception {
        RecordingLoader loader = new RecordingLoader(SignatureProvidersTest.class.getClassLoader());
        Class<?> config = loader.loadClass(CryptoConfig.class.getName());
        Class<?> settings = loader.loadClass(ProviderSetting.class.getName());
        Object isolatedSetting = settings.getMethod("valueOf", String.class).invoke(null, setting.name());
        Object isolatedConfig = config.getConstructor(settings).newInstance(isolatedSetting);
        Method choose = loader.loadClass(SignatureProviders.class.getName()).getMethod("choose", config);
        choose.invoke(null, isolatedConfig);
        return loader.requested.stream().filter(name -> name.startsWith(ACCP_PACKAGE)).collect(Collectors.toSet());
    }

    private static final class RecordingLoader extends ClassLoader {
        private static final String OWN_PACKAGE = SignatureProviders.class.getPackageName() + ".";

        final Set<String> requested = ConcurrentHashMap.newKeySet();

        RecordingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            if (!name.startsWith(OWN_PACKAGE) || name.contains("Test")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : define(name);
            }
        }

        private Class<?> define(String name) throws ClassNotFoundException {
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
