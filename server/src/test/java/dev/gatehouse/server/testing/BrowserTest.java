package dev.gatehouse.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/** The test browser itself: it starts, sees CSP violations, takes screenshots and narrows to a phone. */
class BrowserTest {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'";

    private HttpServer server;
    private String base;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        page("/clean", "<!doctype html><meta name=viewport content=\"width=device-width\"><title>clean</title><script src=\"/ok.js\"></script><p id=p>hello</p>");
        page("/inline", "<!doctype html><title>inline</title><p id=p>hi</p><script>document.title='ran'</script>");
        server.createContext("/ok.js", exchange -> {
            byte[] body = "document.title = 'scripted';".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/javascript");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void scriptFromOwnOrigin_runs_andNothingSevereIsLogged() {
        try (Browser browser = Browser.start()) {
            browser.open(base + "/clean");
            browser.await(d -> d.getTitle().equals("scripted"));
            assertThat(browser.severeLogs()).isEmpty();
        }
    }

    @Test
    void inlineScript_isBlockedByCsp_andTheViolationIsASevereLog() {
        try (Browser browser = Browser.start()) {
            browser.open(base + "/inline");
            browser.visible(By.id("p"));
            assertThat(browser.driver().getTitle()).isEqualTo("inline");
            assertThat(browser.severeLogs()).anySatisfy(m -> assertThat(m).contains("Content Security Policy"));
        }
    }

    @Test
    void screenshot_isAPng_andPhoneWidthIs375CssPixels() throws IOException {
        try (Browser browser = Browser.start()) {
            browser.open(base + "/clean");
            browser.visible(By.id("p"));
            JavascriptExecutor js = (JavascriptExecutor) browser.driver();
            assertThat(((Number) js.executeScript("return window.innerWidth")).intValue()).isEqualTo(1280);
            browser.setPhoneWidth();
            assertThat(((Number) js.executeScript("return window.innerWidth")).intValue()).isEqualTo(375);
            Path file = browser.screenshot("browser-test-phone");
            byte[] png = Files.readAllBytes(file);
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            // The PNG's IHDR width (bytes 16..19, big-endian) is the emulated screen's.
            assertThat(((png[16] & 0xff) << 24) | ((png[17] & 0xff) << 16) | ((png[18] & 0xff) << 8) | (png[19] & 0xff))
                    .isEqualTo(375);
        }
    }

    private void page(String path, String html) {
        server.createContext(path, exchange -> {
            byte[] body = html.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().add("Content-Security-Policy", CSP);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }
}
