package dev.gatehouse.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.server.Gatehouse;
import dev.gatehouse.server.TestGatehouse;
import dev.gatehouse.server.gateway.FakeUpstream;
import dev.gatehouse.server.testing.Browser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real headless Chromium against a real Gatehouse (SQLite, local sign-in, one
 * gateway channel to a real fake upstream): the pages a member and an operator use, driven as a
 * person would (keyboard for the sign-in form, clicks elsewhere), with no Content-Security-Policy
 * violation or script error in the browser's console. Screenshots of every page go to
 * {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
    private static final String MODEL = "json";

    @TempDir
    static Path dataDir;

    static Vertx vertx;
    static FakeUpstream upstream;
    static FakeOAuthProvider provider;
    static Gatehouse gatehouse;
    static URI base;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = FakeUpstream.start(vertx);
        provider = FakeOAuthProvider.start();
        int port = TestGatehouse.freePort();
        base = URI.create("http://127.0.0.1:" + port);
        gatehouse = Gatehouse.builder(TestGatehouse.config(dataDir, Map.of(
                        "GATEHOUSE_SERVER_PORT", String.valueOf(port),
                        "GATEHOUSE_SERVER_PUBLIC_URL", base.toString(),
                        "GATEHOUSE_GATEWAY_CHANNELS", new JsonArray().add(new JsonObject()
                                .put("name", "fake-a").put("provider", "fake").put("baseUrl", upstream.baseUrl())
                                .put("models", new JsonArray(List.of(MODEL)))).encode(),
                        "GATEHOUSE_GATEWAY_DEFAULT_PROVIDER", "fake",
                        // A provider one connects by pasting a key (no OAuth client), and one with OAuth.
                        "GATEHOUSE_BYOS_PROVIDERS", new JsonArray()
                                .add(new JsonObject().put("name", "anthropic-key").put("sandboxVariable", "ANTHROPIC_API_KEY")
                                        .put("apiCidrs", new JsonArray().add("198.51.100.0/24")))
                                .add(new JsonObject().put("name", "fake-oauth").put("sandboxVariable", "PROVIDER_TOKEN")
                                        .put("authorizeUrl", provider.url("/authorize")).put("tokenUrl", provider.url("/token"))
                                        .put("clientId", "gatehouse-console-test")
                                        .put("redirectUri", base + "/api/v1/sandbox/byos/fake-oauth/callback")
                                        .put("apiCidrs", new JsonArray().add("127.0.0.1/32")))
                                .encode(),
                        "GATEHOUSE_BYOS_CONSOLE_URL", base + "/console/")))
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
        if (provider != null) {
            provider.close();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    void signedOut_showsTheSignInPage_localSignInByKeyboard_signOutShowsItAgain() {
        try (Browser browser = Browser.start()) {
            browser.open(base + "/console");
            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(base + "/console/");
            assertThat(browser.text(By.id("sign-in-local"), "Local sign-in").getText()).contains("development only");
            browser.screenshot("01-sign-in");

            signIn(browser, "ada", "acme");

            assertThat(browser.driver().findElement(By.id("who-name")).getText()).isEqualTo("ada · acme");
            browser.text(By.cssSelector(".empty"), "No personal access tokens yet — create one above.");
            assertThat(browser.driver().findElement(By.cssSelector("nav a[aria-current='page']")).getText()).isEqualTo("Tokens");
            assertThat(browser.driver().findElements(By.cssSelector("nav a[data-page='channels']")))
                    .as("a member sees no operator pages").isEmpty();
            browser.screenshot("02-tokens-empty");

            browser.open(base + "/console/#/audit");
            browser.text(By.id("main"), "This page is for operators");

            browser.driver().findElement(By.id("sign-out")).click();
            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            browser.text(By.id("notice"), "You are signed out.");
            browser.driver().navigate().refresh();
            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            assertThat(browser.driver().findElement(By.id("who")).isDisplayed()).isFalse();
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void sessionEndedElsewhere_theNextCallShowsTheSignInPage() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "sid", "acme");
            // Sign out behind the page's back (as another tab would), with the session's CSRF token.
            Object status = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "fetch('/console/api/session').then(r => r.json()).then(s => fetch('/console/logout',"
                            + " {method: 'POST', headers: {'X-CSRF-Token': s.csrf_token}})).then(r => done(r.status));");
            assertThat(((Number) status).intValue()).isEqualTo(200);

            browser.driver().findElement(By.cssSelector("nav a[data-page='usage']")).click();

            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            browser.text(By.id("notice"), "Your session ended. Sign in again to continue.");
            assertThat(browser.driver().findElement(By.id("nav")).isDisplayed()).isFalse();
            assertNoConsoleErrors(browser, "/api/v1/usage");
        }
    }

    @Test
    void pat_valueIsShownOnce_worksAtTheGateway_andIsRevokedFromTheList() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "pat-ann", "acme");

            String token = createPat(browser, "ci");

            assertThat(token.split("\\.")).hasSize(3);
            browser.text(By.id("main"), "Copy it now: it will not be shown again.");
            browser.driver().findElement(By.xpath("//button[normalize-space()='Copy']")).click();
            browser.await(d -> !d.findElement(By.cssSelector(".created [role='status']")).getText().isEmpty());
            browser.driver().findElement(By.cssSelector(".try-it summary")).click();
            assertThat(browser.visible(By.cssSelector(".try-it pre")).getText())
                    .contains(base + "/v1/models").contains(base + "/v1/chat/completions").doesNotContain(token);
            browser.screenshot("03-token-created");
            assertThat(chat(token).statusCode()).as("the PAT calls the gateway").isEqualTo(200);

            browser.driver().navigate().refresh();
            WebElement row = browser.text(By.cssSelector("table.data tbody tr"), "ci");
            assertThat(row.getText()).contains("active");
            assertThat(browser.driver().findElements(By.id("new-token-value"))).as("the value is gone after a reload").isEmpty();
            assertThat(browser.driver().getPageSource()).doesNotContain(token);

            row.findElement(By.xpath(".//button[@aria-label='Revoke token ci']")).click();
            WebElement dialog = browser.visible(By.cssSelector("dialog[open]"));
            assertThat(dialog.getText()).contains("Revoke “ci”?");
            browser.screenshot("04-token-revoke-confirm");
            dialog.findElement(By.xpath(".//button[normalize-space()='Revoke token']")).click();

            browser.text(By.cssSelector("table.data tbody tr"), "revoked");
            browser.text(By.id("notice"), "Token “ci” revoked.");
            assertThat(browser.driver().findElements(By.xpath("//button[@aria-label='Revoke token ci']"))).isEmpty();
            browser.screenshot("05-token-revoked");
            assertThat(chat(token).statusCode()).as("a revoked PAT is refused at once on this replica").isEqualTo(401);
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void badInput_showsTheProblemsDetailAndCode_andCreatesNothing() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "eve", "acme");
            browser.visible(By.name("name")).sendKeys("billing-bot");
            browser.driver().findElement(By.name("audience")).sendKeys("billing");
            browser.driver().findElement(By.xpath("//button[normalize-space()='Create token']")).click();

            WebElement error = browser.text(By.id("error"), "unknown_audience");
            assertThat(error.getAttribute("role")).isEqualTo("alert");
            assertThat(error.getText()).contains("audience: \"billing\"").contains("expected one of: gateway");
            browser.text(By.cssSelector(".empty"), "No personal access tokens yet");
            browser.screenshot("06-token-error");
            assertNoConsoleErrors(browser, "/auth/pat");
        }
    }

    @Test
    void usage_drawsTheMembersOwnCallsByDayModelAndSandbox_withACsvDownload() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "uma", "acme");
            String token = createPat(browser, "usage");
            for (int i = 0; i < 3; i++) {
                assertThat(chat(token).statusCode()).isEqualTo(200);
            }

            navigate(browser, "usage");
            // Usage is recorded within gateway.usage.flushInterval (100ms): reload the page until it shows.
            browser.await(d -> {
                List<WebElement> tiles = d.findElements(By.cssSelector(".tile"));
                if (tiles.stream().anyMatch(t -> t.getText().contains("Requests\n3"))) {
                    return true;
                }
                d.navigate().refresh();
                return false;
            });
            WebElement chart = browser.visible(By.cssSelector("svg.chart"));
            assertThat(chart.findElement(By.tagName("title")).getAttribute("textContent")).isEqualTo("Tokens per day, last 30 days");
            assertThat(chart.findElements(By.cssSelector("g.bar"))).hasSize(30);
            assertThat(chart.findElement(By.tagName("desc")).getAttribute("textContent")).contains("over 30 days");
            assertThat(browser.text(By.cssSelector("section[aria-labelledby='usage-model']"), MODEL).getText()).contains("3");
            assertThat(browser.text(By.cssSelector("section[aria-labelledby='usage-sandbox']"), "outside sandboxes").isDisplayed()).isTrue();
            browser.screenshot("07-usage");

            WebElement csv = browser.driver().findElement(By.linkText("Download CSV"));
            assertThat(csv.getAttribute("download")).startsWith("gatehouse-usage-");
            Object download = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text().then(t => done(r.status + '\\n' + t)));",
                    csv.getAttribute("href"));
            assertThat((String) download).startsWith("200\nday,model,sandbox,requests,").contains("," + MODEL + ",,3,");

            new Select(browser.driver().findElement(By.name("range"))).selectByValue("7");
            browser.await(d -> d.findElement(By.cssSelector("svg.chart title")).getAttribute("textContent")
                    .equals("Tokens per day, last 7 days"));
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void usage_ofAMemberWithoutCalls_saysSo() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "ned", "acme");
            navigate(browser, "usage");
            browser.text(By.cssSelector(".empty"), "No usage in the last 30 days.");
            assertThat(browser.driver().findElements(By.cssSelector("svg.chart"))).isEmpty();
            browser.screenshot("08-usage-empty");
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void sandboxes_renderWithTheirEmptyStateAndProfiles() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "sam", "acme");
            navigate(browser, "sandboxes");
            browser.text(By.cssSelector(".empty"), "No sandboxes yet — start one above.");
            Select profile = new Select(browser.visible(By.name("profile")));
            assertThat(profile.getFirstSelectedOption().getText()).isEqualTo("default");
            browser.text(By.id("main"), "Stops after 30 min unused, at most 12 h after it starts.");
            assertThat(browser.driver().findElement(By.id("mode-byos")).isEnabled())
                    .as("no subscription connected: own-subscription mode is off").isFalse();
            browser.screenshot("09-sandboxes");
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void subscription_aPastedKeyConnects_isNeverShown_andDisconnects() {
        String key = "sk-ant-" + UUID.randomUUID();
        try (Browser browser = Browser.start()) {
            signIn(browser, "kai", "acme");
            navigate(browser, "subscriptions");
            WebElement card = browser.text(By.cssSelector("section.card"), "anthropic-key");
            assertThat(card.getText()).contains("not connected").contains("connects with a key of your own account");
            assertThat(card.findElement(By.tagName("details")).getAttribute("open")).as("a key-only provider offers the key at once").isNotNull();
            WebElement input = browser.visible(By.cssSelector("input[type='password'][name='key']"));
            assertThat(browser.driver().findElement(By.xpath("//label[@for='" + input.getAttribute("id") + "']")).getText())
                    .isEqualTo("API key for anthropic-key");
            input.sendKeys(key);
            input.sendKeys(Keys.ENTER);

            browser.text(By.id("notice"), "Your key for anthropic-key is saved.");
            browser.text(By.cssSelector("section.card"), "connected (key)");
            assertThat(browser.driver().getPageSource()).doesNotContain(key);
            browser.screenshot("10-subscriptions-connected");

            navigate(browser, "sandboxes");
            browser.await(d -> d.findElement(By.id("mode-byos")).isEnabled());
            navigate(browser, "subscriptions");

            browser.text(By.cssSelector("section.card"), "connected (key)")
                    .findElement(By.xpath(".//button[normalize-space()='Disconnect']")).click();
            browser.visible(By.cssSelector("dialog[open]")).findElement(By.xpath(".//button[normalize-space()='Disconnect']")).click();
            browser.text(By.id("notice"), "anthropic-key disconnected (the provider offers no revocation).");
            browser.text(By.cssSelector("section.card"), "not connected");
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void subscription_connectsThroughTheProvidersPageInAPopup_whichTellsTheConsoleAndClosesItself() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "oda", "acme");
            navigate(browser, "subscriptions");
            WebElement card = browser.text(By.cssSelector("section.card"), "fake-oauth");
            assertThat(card.getText()).contains("not connected");

            card.findElement(By.xpath(".//button[normalize-space()='Connect']")).click();

            browser.text(By.id("notice"), "Your fake-oauth subscription is connected.");
            browser.await(d -> d.getWindowHandles().size() == 1);
            assertThat(browser.text(By.cssSelector("section.card"), "fake-oauth").getText()).contains("connected")
                    .doesNotContain("not connected");
            assertThat(provider.authorizeQueries()).singleElement().satisfies(query -> assertThat(query)
                    .contains("code_challenge_method=S256").contains("client_id=gatehouse-console-test"));
            assertThat(provider.tokenRequests()).singleElement().satisfies(body -> assertThat(body).contains("code_verifier="));
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void subscription_aDeclinedConnectionComingBackToTheConsole_isShownAsAnErrorOnTheSubscriptionsPage() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "dee", "acme");
            // As the console does before it leaves for the provider in its own window (no popup).
            ((JavascriptExecutor) browser.driver()).executeScript("sessionStorage.setItem('gatehouse-byos-nonce', 'n-1');");
            // Where Gatehouse's callback sends the browser when the console was not in a popup.
            browser.open(base + "/console/?via=page&n=n-1&byos=fake-oauth&outcome=denied&error=access_denied");

            browser.text(By.id("error"), "Connecting fake-oauth was declined at the provider; nothing was connected.");
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(base + "/console/#/subscriptions");
            assertThat(browser.text(By.cssSelector("section.card"), "fake-oauth").getText()).contains("not connected");
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void subscription_anOutcomeThisConsoleDidNotStart_isNotShown() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "dan", "acme");
            // Another site can send the browser here with any outcome and text; it never chose a connection.
            browser.open(base + "/console/?via=page&n=guessed&byos=fake-oauth&outcome=failed&error=call+this+number");

            assertThat(browser.text(By.cssSelector("section.card"), "fake-oauth").getText()).contains("not connected");
            assertThat(browser.driver().findElement(By.id("error")).getText()).doesNotContain("call this number");
            assertThat(browser.driver().findElement(By.id("notice")).getText()).doesNotContain("fake-oauth");
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void operator_seesChannelsTheAuditLogUsagePerOrganization_andRevokesASandboxsTokens() {
        try (Browser browser = Browser.start()) {
            signIn(browser, "oli", "acme", "gatehouse:admin");
            String token = createPat(browser, "ops");
            assertThat(chat(token).statusCode()).isEqualTo(200);

            navigate(browser, "channels");
            WebElement channel = browser.text(By.cssSelector("table.data tbody tr"), "fake-a");
            assertThat(channel.getText()).contains("in service").contains(MODEL).contains(upstream.baseUrl());
            // Other tests call the same channel: at least this test's call is counted, as completed.
            browser.await(d -> {
                d.findElement(By.xpath("//button[normalize-space()='Refresh']")).click();
                return d.findElement(By.cssSelector("table.data tbody tr")).getText().matches("(?s).*\\d+ \\(completed \\d+\\).*");
            });
            browser.screenshot("11-channels");

            navigate(browser, "audit");
            browser.visible(By.name("action")).sendKeys("pat.issued");
            browser.driver().findElement(By.name("actor")).sendKeys("oli");
            browser.driver().findElement(By.xpath("//button[normalize-space()='Show events']")).click();
            browser.await(d -> {
                List<WebElement> rows = d.findElements(By.cssSelector("table.data tbody tr"));
                return rows.size() == 1 && rows.get(0).getText().contains("pat.issued") && rows.get(0).getText().contains("oli");
            });
            assertThat(browser.driver().findElement(By.cssSelector("table.data tbody tr")).getText()).contains("success");
            browser.screenshot("12-audit");

            navigate(browser, "org-usage");
            browser.await(d -> {
                if (d.findElements(By.cssSelector("table.data tbody tr")).stream().anyMatch(r -> r.getText().startsWith("acme"))) {
                    return true;
                }
                d.navigate().refresh();
                return false;
            });
            browser.screenshot("13-org-usage");

            navigate(browser, "revoke");
            String sandbox = UUID.randomUUID().toString();
            browser.visible(By.name("sandbox_id")).sendKeys(sandbox);
            browser.driver().findElement(By.xpath("//button[normalize-space()='Revoke its tokens']")).click();
            browser.visible(By.cssSelector("dialog[open]")).findElement(By.xpath(".//button[normalize-space()='Revoke tokens']")).click();
            browser.text(By.id("main"), "Sandbox " + sandbox + ": 0 tokens revoked.");
            browser.screenshot("14-revoke");
            assertNoConsoleErrors(browser);
        }
    }

    @Test
    void atAPhonesWidth_nothingIsWiderThanTheScreen_andWideTablesScrollInTheirBox() {
        try (Browser browser = Browser.start()) {
            browser.setPhoneWidth();
            browser.open(base + "/console/");
            browser.text(By.tagName("h1"), "Sign in to Gatehouse");
            assertFitsTheScreen(browser);
            browser.screenshot("15-phone-sign-in");

            signIn(browser, "pia", "acme", "gatehouse:admin");
            createPat(browser, "phone");
            browser.driver().navigate().refresh();
            browser.text(By.cssSelector("table.data tbody tr"), "phone");
            assertFitsTheScreen(browser);
            WebElement box = browser.driver().findElement(By.cssSelector(".table-scroll"));
            assertThat(((Number) ((JavascriptExecutor) browser.driver()).executeScript(
                    "return arguments[0].scrollWidth - arguments[0].clientWidth", box)).intValue())
                    .as("the token table scrolls sideways inside its box").isPositive();
            browser.screenshot("16-phone-tokens");

            for (String page : List.of("usage", "channels")) {
                navigate(browser, page);
                browser.await(ExpectedConditions.attributeToBe(By.cssSelector("nav a[aria-current='page']"), "data-page", page));
                browser.await(d -> d.findElements(By.cssSelector("[aria-busy='true']")).isEmpty());
                assertFitsTheScreen(browser);
                browser.screenshot("17-phone-" + page);
            }
            assertNoConsoleErrors(browser);
        }
    }

    /** Signs in with the local form using the keyboard only: type, Tab, type, Space on boxes, Enter. */
    private static void signIn(Browser browser, String user, String organization, String... capabilities) {
        browser.open(base + "/console/");
        WebElement userField = browser.visible(By.name("user"));
        userField.sendKeys(user);
        userField.sendKeys(Keys.TAB);
        WebElement focused = browser.driver().switchTo().activeElement();
        assertThat(focused.getAttribute("name")).isEqualTo("organization");
        focused.sendKeys(organization);
        for (String capability : capabilities) {
            browser.driver().findElement(By.id("cap-" + capability.replace(':', '-'))).sendKeys(Keys.SPACE);
        }
        browser.driver().findElement(By.name("organization")).sendKeys(Keys.ENTER);
        browser.text(By.id("who-name"), user + " · " + organization);
        browser.text(By.tagName("h1"), "Personal access tokens");
        assertThat(browser.driver().findElements(By.cssSelector("nav a[data-page='channels']")).isEmpty())
                .isEqualTo(!Arrays.asList(capabilities).contains("gatehouse:admin"));
    }

    /** Creates a PAT with llm:use (checked by default) on the tokens page; returns the value shown once. */
    private static String createPat(Browser browser, String name) {
        browser.visible(By.name("name")).sendKeys(name);
        assertThat(browser.driver().findElement(By.id("pat-cap-llm-use")).isSelected()).isTrue();
        browser.driver().findElement(By.xpath("//button[normalize-space()='Create token']")).click();
        WebElement value = browser.visible(By.id("new-token-value"));
        assertThat(value.getAttribute("readonly")).isNotNull();
        return value.getDomProperty("value");
    }

    private static void navigate(Browser browser, String page) {
        browser.driver().findElement(By.cssSelector("nav a[data-page='" + page + "']")).click();
        browser.await(ExpectedConditions.attributeToBe(By.cssSelector("nav a[aria-current='page']"), "data-page", page));
    }

    private static HttpResponse<String> chat(String token) {
        return TestGatehouse.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", MODEL)
                        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))
                        .encode()))
                .build());
    }

    private static void assertFitsTheScreen(Browser browser) {
        Number overflow = (Number) ((JavascriptExecutor) browser.driver())
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(overflow.intValue()).as("the page is no wider than a 375 px screen").isLessThanOrEqualTo(0);
    }

    /**
     * No SEVERE entry in the browser's console: no CSP violation, no script error, no failed load,
     * except error answers of the given paths, which the test provoked (Chromium logs every 4xx/5xx
     * answer to fetch as a failed load).
     */
    private static void assertNoConsoleErrors(Browser browser, String... expectedErrorPaths) {
        assertThat(browser.severeLogs()).filteredOn(message -> Arrays.stream(expectedErrorPaths).noneMatch(path ->
                        message.contains(base + path) && message.contains("Failed to load resource")))
                .isEmpty();
    }

}
