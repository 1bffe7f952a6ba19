package dev.gatehouse.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.testing.Browser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Connecting a subscription when {@code byos.consoleUrl} is not set: Gatehouse refuses a
 * {@code return_to}, so the console starts without one, the popup ends on Gatehouse's own page, and
 * the console learns of the connection by asking its status.
 */
class ConsoleByosWithoutConsoleUrlBrowserTest {
    @TempDir
    static Path dataDir;

    static FakeOAuthProvider provider;
    static Gatehouse gatehouse;
    static URI base;

    @BeforeAll
    static void start() {
        provider = FakeOAuthProvider.start();
        int port = TestGatehouse.freePort();
        base = URI.create("http://127.0.0.1:" + port);
        gatehouse = Gatehouse.builder(TestGatehouse.config(dataDir, Map.of(
                        "GATEHOUSE_SERVER_PORT", String.valueOf(port),
                        "GATEHOUSE_SERVER_PUBLIC_URL", base.toString(),
                        "GATEHOUSE_BYOS_PROVIDERS", new JsonArray().add(new JsonObject().put("name", "fake-oauth")
                                .put("sandboxVariable", "PROVIDER_TOKEN")
                                .put("authorizeUrl", provider.url("/authorize")).put("tokenUrl", provider.url("/token"))
                                .put("clientId", "gatehouse-console-test")
                                .put("redirectUri", base + "/api/v1/sandbox/byos/fake-oauth/callback")
                                .put("apiCidrs", new JsonArray().add("127.0.0.1/32"))).encode())))
                .start();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void connect_popupEndsOnGatehousesOwnPage_andTheConsoleSeesTheConnectionByItsStatus() {
        try (Browser browser = Browser.start()) {
            browser.open(base + "/console/");
            browser.visible(By.name("user")).sendKeys("ida");
            browser.driver().findElement(By.name("organization")).sendKeys("acme\n");
            browser.text(By.id("who-name"), "ida · acme");
            browser.driver().findElement(By.cssSelector("nav a[data-page='subscriptions']")).click();
            WebElement card = browser.text(By.cssSelector("section.card"), "fake-oauth");
            String console = browser.driver().getWindowHandle();

            card.findElement(By.xpath(".//button[normalize-space()='Connect']")).click();

            browser.text(By.id("main"), "Finish connecting fake-oauth in the window that opened.");
            browser.text(By.id("notice"), "Your fake-oauth subscription is connected.");
            assertThat(browser.text(By.cssSelector("section.card"), "fake-oauth").getText()).doesNotContain("not connected");
            assertThat(browser.driver().findElements(By.tagName("progress"))).as("no longer waiting").isEmpty();
            Set<String> windows = browser.driver().getWindowHandles();
            assertThat(windows).hasSize(2);
            String popup = windows.stream().filter(w -> !w.equals(console)).findFirst().orElseThrow();
            browser.driver().switchTo().window(popup);
            assertThat(browser.driver().findElement(By.tagName("body")).getText())
                    .isEqualTo("Your fake-oauth subscription is connected. You can close this window.");
            browser.driver().close();
            browser.driver().switchTo().window(console);
            // The first /start, with return_to, is refused (400 redirect_not_allowed) as expected.
            assertThat(browser.severeLogs()).allSatisfy(message -> assertThat(message)
                    .contains(base + "/api/v1/sandbox/byos/fake-oauth/start").contains("400"));
        }
    }

}
