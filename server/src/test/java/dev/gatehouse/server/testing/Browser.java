package dev.gatehouse.server.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through ChromeDriver, both from Debian's packages ({@code chromium},
 * {@code chromium-driver}) at {@value #CHROMIUM} and {@value #CHROMEDRIVER}: nothing is downloaded
 * (Selenium Manager is never asked, since both executables are given). Each instance has a fresh
 * profile in a temporary directory, deleted by {@link #close()}, and a 1280x900 window.
 *
 * <p>The browser console's entries are collected as they are read, so {@link #severeLogs()} returns
 * every SEVERE entry since start (Content-Security-Policy violations and uncaught script errors are
 * logged at that level). Not thread-safe: one test drives one browser.
 */
public final class Browser implements AutoCloseable {
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Where {@link #screenshot} writes: {@code server/target/console-screenshots}. */
    public static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "console-screenshots");

    private final Path profile;
    private final ChromeDriver driver;
    private final List<LogEntry> logs = new ArrayList<>();

    private Browser(Path profile, ChromeDriver driver) {
        this.profile = profile;
        this.driver = driver;
    }

    /** Starts Chromium; fails (never skips) with what to install when either executable is missing. */
    public static Browser start() {
        for (String executable : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(executable))) {
                throw new AssertionError(executable + " is missing: the console's browser tests need it"
                        + " (apt-get install -y chromium chromium-driver)");
            }
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("gatehouse-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(TIMEOUT);
            return new Browser(profile, driver);
        } catch (RuntimeException e) {
            delete(profile);
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /**
     * Waits until {@code condition} holds (at most {@link #TIMEOUT}) and returns its value. A condition
     * that meets an element the page has just replaced is asked again.
     */
    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, TIMEOUT, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** The element, once it is visible. */
    public WebElement visible(By by) {
        return await(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits until some visible element matching {@code by} contains {@code text}. */
    public WebElement text(By by, String text) {
        return await(d -> d.findElements(by).stream()
                .filter(e -> e.isDisplayed() && e.getText().contains(text))
                .findFirst().orElse(null));
    }

    /** Emulates a phone's screen: 375 CSS pixels wide, 812 high, touch-sized (mobile) layout. */
    public void setPhoneWidth() {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 375, "height", 812, "deviceScaleFactor", 1, "mobile", true));
    }

    /** Back to the desktop window (1280x900). */
    public void setDesktopWidth() {
        driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /**
     * Saves the whole page (not only what the window shows), as wide as the window, as {@code
     * target/console-screenshots/<name>.png}; returns the file.
     */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            @SuppressWarnings("unchecked")
            Map<String, Number> size = (Map<String, Number>) driver.executeScript("return {width: window.innerWidth,"
                    + " height: Math.max(document.documentElement.scrollHeight, window.innerHeight)}");
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                    "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", size.get("width"),
                            "height", size.get("height"), "scale", 1)));
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every browser console entry since start (reading them from Chromium empties its buffer). */
    public List<LogEntry> logs() {
        driver.manage().logs().get(LogType.BROWSER).forEach(logs::add);
        return List.copyOf(logs);
    }

    /** The SEVERE console entries since start: CSP violations, uncaught errors, failed loads. */
    public List<String> severeLogs() {
        return logs().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A profile left in the temporary directory is harmless.
        }
    }
}
