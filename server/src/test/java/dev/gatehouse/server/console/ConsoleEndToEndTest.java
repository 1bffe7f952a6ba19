package dev.gatehouse.server.console;

import static dev.gatehouse.server.testing.keycloak.KeycloakExtension.ACME;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.gateway.FakeUpstream;
import dev.gatehouse.server.testing.Browser;
import dev.gatehouse.server.testing.keycloak.Keycloak;
import dev.gatehouse.server.testing.keycloak.KeycloakExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The console end to end in headless Chromium, as a member of a real Keycloak realm: sign in through
 * Keycloak's own login form (authorization code + PKCE, Gatehouse holding the session), start a
 * sandbox on the process backend and watch it come up, open it through the proxy, have it call the
 * gateway, see that call in the usage chart under the sandbox, stop it, find the sandbox's creation
 * in the audit log as the operator the same person is, and sign out of Gatehouse and Keycloak both.
 */
class ConsoleEndToEndTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final String CLIENT = "console-e2e";
    private static final String USER = "e2e-kai";
    private static final String MODEL = "json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KeycloakExtension KEYCLOAK = new KeycloakExtension();

    @TempDir
    static Path dataDir;

    static Keycloak keycloak;
    static Vertx vertx;
    static FakeUpstream upstream;
    static Gatehouse gatehouse;
    static URI base;

    @BeforeAll
    static void start() {
        keycloak = KEYCLOAK.keycloak();
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        int port = TestGatehouse.freePort();
        base = URI.create("http://127.0.0.1:" + port);
        ObjectNode client = JSON.createObjectNode().put("clientId", CLIENT).put("enabled", true)
                .put("protocol", "openid-connect").put("publicClient", true).put("standardFlowEnabled", true)
                .put("directAccessGrantsEnabled", false).put("consentRequired", false);
        client.putArray("redirectUris").add(base + "/console/callback");
        client.putObject("attributes").put("pkce.code.challenge.method", "S256")
                .put("post.logout.redirect.uris", base + "/console/");
        keycloak.createClient(ACME, client.toString());
        keycloak.createUser(ACME, USER, PASSWORD, Map.of("org", "acme"));
        keycloak.assignRealmRole(ACME, USER, "gatehouse-user");
        keycloak.assignRealmRole(ACME, USER, "gatehouse-admin");
        gatehouse = Gatehouse.builder(TestGatehouse.config(dataDir, Map.of(
                        "GATEHOUSE_SERVER_PORT", String.valueOf(port),
                        "GATEHOUSE_SERVER_PUBLIC_URL", base.toString(),
                        "GATEHOUSE_IDENTITY_LOCAL", "false",
                        "GATEHOUSE_IDENTITY_TOPOLOGY", "shared-sovereign",
                        "GATEHOUSE_IDENTITY_KEYCLOAK_ISSUERS", keycloak.issuer(ACME),
                        "GATEHOUSE_IDENTITY_KEYCLOAK_AUDIENCE", CLIENT,
                        "GATEHOUSE_CONSOLE_KEYCLOAK_CLIENT_ID", CLIENT,
                        "GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject()
                                .put("name", "fake-a").put("provider", "fake").put("baseUrl", upstream.baseUrl())
                                .put("models", new JsonArray(List.of(MODEL)))).encode())))
                .start();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    void aKeycloakMember_runsASandboxFromTheConsole_seesItsUsage_andSignsOutEverywhere() {
        try (Browser browser = Browser.start()) {
            browser.open(base + "/console/");
            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            assertThat(browser.driver().findElements(By.id("sign-in-local"))).as("identity.local is off").isEmpty();
            browser.driver().findElement(By.linkText("Sign in with acme")).click();

            WebElement username = browser.visible(By.id("username"));
            assertThat(browser.driver().getCurrentUrl()).startsWith(keycloak.issuer(ACME) + "/protocol/openid-connect/auth?");
            browser.screenshot("20-keycloak-login");
            username.sendKeys(USER);
            browser.driver().findElement(By.id("password")).sendKeys(PASSWORD);
            browser.driver().findElement(By.id("kc-login")).click();

            browser.text(By.id("who-name"), USER + " · acme");
            assertThat(browser.driver().getCurrentUrl()).startsWith(base + "/console/");
            assertThat(browser.driver().manage().getCookieNamed("__Host-gatehouse-console").isHttpOnly()).isTrue();
            assertThat((String) script(browser, "return document.cookie;")).as("no script reads the session")
                    .doesNotContain("gatehouse-console");
            assertThat(browser.driver().findElements(By.cssSelector("nav a[data-page='audit']")))
                    .as("gatehouse-admin is an operator").hasSize(1);

            String sandboxId = startSandbox(browser, "review-bot");
            openSandbox(browser, sandboxId);
            callTheGatewayFromTheSandbox(browser, sandboxId);
            seeTheCallInTheUsageChart(browser, sandboxId);
            stopSandbox(browser);
            findTheSandboxInTheAuditLog(browser, sandboxId);

            browser.driver().findElement(By.id("sign-out")).click();
            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            assertThat(browser.driver().getCurrentUrl()).startsWith(base + "/console/");
            browser.driver().findElement(By.linkText("Sign in with acme")).click();
            browser.visible(By.id("username"));
            assertThat(browser.driver().getCurrentUrl()).as("the Keycloak session ended too: its form asks again")
                    .startsWith(keycloak.issuer(ACME));
            assertThat(browser.severeLogs()).isEmpty();
        }
    }

    private static String startSandbox(Browser browser, String name) {
        navigate(browser, "sandboxes");
        browser.text(By.id("main"), "No sandboxes yet");
        browser.visible(By.name("name")).sendKeys(name);
        browser.driver().findElement(By.name("model")).sendKeys(MODEL);
        browser.driver().findElement(By.xpath("//button[normalize-space()='Start sandbox']")).click();

        browser.text(By.id("sandbox-progress-text"), "Starting “" + name + "”");
        browser.screenshot("21-sandbox-starting");
        browser.text(By.id("sandbox-progress-text"), "“" + name + "” is running.");
        WebElement row = browser.text(By.cssSelector("table.data tbody tr"), "running");
        assertThat(row.getText()).contains(name).contains(MODEL);
        browser.screenshot("22-sandbox-running");
        String href = row.findElement(By.linkText("Open")).getAttribute("href");
        assertThat(href).startsWith(base + "/sandboxes/");
        return href.substring((base + "/sandboxes/").length()).replace("/", "");
    }

    private static void openSandbox(Browser browser, String sandboxId) {
        String console = browser.driver().getWindowHandle();
        browser.driver().findElement(By.cssSelector("a[aria-label='Open sandbox review-bot (new tab)']")).click();
        browser.await(driver -> driver.getWindowHandles().size() == 2);
        String tab = browser.driver().getWindowHandles().stream().filter(handle -> !handle.equals(console))
                .findFirst().orElseThrow();
        browser.driver().switchTo().window(tab);
        browser.await(driver -> driver.getCurrentUrl().startsWith(base + "/sandboxes/" + sandboxId));
        WebElement body = browser.text(By.tagName("body"), "/v1/chat/completions");
        assertThat(body.getText()).contains(MODEL);
        browser.screenshot("23-sandbox-opened");
        HttpResponse<String> direct = TestGatehouse.get(base.resolve("/sandboxes/" + sandboxId + "/"),
                "Cookie", "__Host-gatehouse-console=" + browser.driver().manage().getCookieNamed("__Host-gatehouse-console")
                        .getValue());
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(direct.headers().allValues("Content-Security-Policy"))
                .as("a page a sandbox serves runs in an opaque origin: it cannot use the console's session")
                .anyMatch(policy -> policy.startsWith("sandbox "));
        browser.driver().close();
        browser.driver().switchTo().window(console);
    }

    /**
     * A state-changing call through the sandbox proxy with the session cookie: it carries the CSRF
     * token, as the console's own calls do; the runtime forwards it to the gateway with its own token.
     */
    private static void callTheGatewayFromTheSandbox(Browser browser, String sandboxId) {
        String answer = (String) ((JavascriptExecutor) browser.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/console/api/session', {credentials: 'same-origin'}).then(r => r.json()).then(session =>
                  fetch(arguments[0], {method: 'POST', credentials: 'same-origin',
                      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token},
                      body: JSON.stringify({model: arguments[1], messages: [{role: 'user', content: 'hi'}]})}))
                  .then(r => r.text().then(t => done(r.status + ' ' + t)));
                """, "/sandboxes/" + sandboxId + "/v1/chat/completions", MODEL);
        assertThat(answer).startsWith("200 ").contains("chat.completion");
    }

    private static void seeTheCallInTheUsageChart(Browser browser, String sandboxId) {
        navigate(browser, "usage");
        browser.await(driver -> {
            List<WebElement> sections = driver.findElements(By.cssSelector("section[aria-labelledby='usage-sandbox']"));
            if (!sections.isEmpty() && sections.get(0).getText().contains("review-bot (" + sandboxId + ")")) {
                return true;
            }
            driver.navigate().refresh();
            return false;
        });
        WebElement chart = browser.visible(By.cssSelector("svg.chart"));
        assertThat(chart.findElements(By.cssSelector("g.bar rect")).stream()
                .filter(rect -> Double.parseDouble(rect.getAttribute("height")) > 0).count())
                .as("today's bar is drawn").isPositive();
        assertThat(browser.text(By.cssSelector("section[aria-labelledby='usage-model']"), MODEL).isDisplayed()).isTrue();
        browser.screenshot("24-usage-from-a-sandbox");
        HttpResponse<String> records = TestGatehouse.get(base.resolve("/api/v1/usage?groupBy=sandbox"),
                "Cookie", "__Host-gatehouse-console=" + browser.driver().manage().getCookieNamed("__Host-gatehouse-console")
                        .getValue());
        assertThat(new JsonObject(records.body()).getJsonArray("groups").stream().map(JsonObject.class::cast)
                .map(group -> group.getString("sandbox"))).contains(sandboxId);
    }

    private static void stopSandbox(Browser browser) {
        navigate(browser, "sandboxes");
        browser.text(By.cssSelector("table.data tbody tr"), "review-bot")
                .findElement(By.cssSelector("button[aria-label='Stop sandbox review-bot']")).click();
        WebElement dialog = browser.visible(By.cssSelector("dialog[open]"));
        assertThat(dialog.getText()).contains("Stop “review-bot”?");
        dialog.findElement(By.xpath(".//button[normalize-space()='Stop sandbox']")).click();
        browser.text(By.id("notice"), "Sandbox “review-bot” stopped and removed.");
        browser.text(By.id("main"), "No sandboxes yet");
    }

    private static void findTheSandboxInTheAuditLog(Browser browser, String sandboxId) {
        navigate(browser, "audit");
        WebElement table = browser.text(By.cssSelector("table.data"), sandboxId);
        assertThat(table.getText()).contains("sandbox.");
        browser.screenshot("25-audit-sandbox");
    }

    private static void navigate(Browser browser, String page) {
        browser.driver().findElement(By.cssSelector("nav a[data-page='" + page + "']")).click();
        browser.await(driver -> driver.getCurrentUrl().endsWith("#/" + page));
    }

    private static Object script(Browser browser, String script) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script);
    }

}
