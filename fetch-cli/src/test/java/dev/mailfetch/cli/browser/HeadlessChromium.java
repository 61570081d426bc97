package dev.mailfetch.cli.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver with Selenium's WebDriver: what
 * the page tests of {@code mailfetch serve} use to load a page, click, submit a form, wait for text
 * and take a screenshot as a person's browser would.
 *
 * <p>chromedriver picks its own free port ({@code --port=0}; no port is probed and then taken), and
 * Chromium runs with a new empty profile under the test's temporary folder, never the home
 * directory. {@link #close()} ends both within bounded time, and every process whose command line
 * names that profile folder is killed, so a test that fails, times out or never reaches {@code
 * quit} leaves no browser behind; a shutdown hook does the same if the test JVM ends first. Without
 * Chromium and chromedriver ({@code .ci/run} installs them) {@link #assumeInstalled()} skips the
 * test, saying so.
 */
public final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** How long chromedriver may take to listen, and a session to open, on a loaded machine. */
  private static final Duration START = Duration.ofSeconds(60);

  /** How long a page load, a script or closing may take. */
  private static final Duration STEP = Duration.ofSeconds(30);

  private static final Pattern LISTENING = Pattern.compile("started successfully on port (\\d+)");

  private final Process driverProcess;
  private final Path profile;
  private final Thread hook;
  private final RemoteWebDriver driver;

  /** Why the browser cannot run here, or empty when it can. */
  public static Optional<String> missing() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      return Optional.of(
          "Chromium or chromedriver is not installed ("
              + CHROMIUM
              + ", "
              + CHROMEDRIVER
              + "): the browser tests are skipped; .ci/run installs them (apt-get install chromium"
              + " chromium-driver)");
    }
    return Optional.empty();
  }

  /** Skips the calling test, saying why, when Chromium or chromedriver is not installed. */
  public static void assumeInstalled() {
    Optional<String> why = missing();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.orElse(""));
  }

  /**
   * Starts chromedriver and a headless Chromium whose page is {@code width} × {@code height} CSS
   * pixels (screenshots have that size), its profile and logs in {@code tempDir}.
   */
  public static HeadlessChromium start(Path tempDir, int width, int height) throws IOException {
    assumeInstalled();
    Path profile = Files.createTempDirectory(tempDir, "chromium-profile-");
    Path log = tempDir.resolve(profile.getFileName() + ".chromedriver.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                CHROMEDRIVER.toString(),
                "--port=0", // it binds loopback only, its default
                "--log-path=" + log)
            .redirectErrorStream(true);
    pb.environment().put("HOME", profile.toString()); // nothing it writes lands in the real home
    Process p = pb.start();
    Thread hook = new Thread(() -> killAll(p, profile), "headless-chromium-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      int port = portOf(p, log);
      RemoteWebDriver d = session(port, profile, width, height);
      return new HeadlessChromium(p, profile, hook, d);
    } catch (IOException | RuntimeException e) {
      killAll(p, profile);
      removeHook(hook);
      throw e;
    }
  }

  private HeadlessChromium(Process driverProcess, Path profile, Thread hook, RemoteWebDriver d) {
    this.driverProcess = driverProcess;
    this.profile = profile;
    this.hook = hook;
    this.driver = d;
  }

  /** Reads chromedriver's output until it says its port (bounded by {@link #START}). */
  private static int portOf(Process p, Path log) throws IOException {
    // A thread of its own, not the common pool: on two cores that pool has one thread, and a task
    // of another test blocked there left this one unstarted for a minute (one CI run).
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              StringBuilder said = new StringBuilder();
              try {
                BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                  said.append(line).append('\n');
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                    drain(r);
                    return;
                  }
                }
                r.close();
                port.completeExceptionally(
                    new IllegalStateException("chromedriver ended without listening:\n" + said));
              } catch (IOException | RuntimeException e) {
                port.completeExceptionally(
                    new IllegalStateException("reading chromedriver's output: " + e, e));
              }
            },
            "chromedriver-port");
    reader.setDaemon(true);
    reader.start();
    // Its log file says the port too, written line by line: read as well, in case its standard
    // output, a pipe here, holds the line back in a buffer (one CI run waited a minute for it).
    long until = System.nanoTime() + START.toNanos();
    try {
      while (true) {
        try {
          return port.get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          Integer logged = portInLog(log);
          if (logged != null) {
            return logged;
          }
          if (System.nanoTime() - until > 0) {
            throw new IOException(
                "chromedriver did not say its port within " + START + " (its log: " + log + ")", e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while chromedriver started", e);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  private static Integer portInLog(Path log) {
    try {
      if (!Files.isRegularFile(log)) {
        return null;
      }
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      return m.find() ? Integer.valueOf(m.group(1)) : null;
    } catch (IOException | RuntimeException e) {
      return null; // being written: the next look
    }
  }

  /** Keeps reading chromedriver's output so that it never blocks on a full pipe. */
  private static void drain(BufferedReader r) {
    Thread t =
        new Thread(
            () -> {
              try (r) {
                while (r.readLine() != null) {
                  // chromedriver's own log is in --log-path
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "chromedriver-output");
    t.setDaemon(true);
    t.start();
  }

  private static RemoteWebDriver session(int port, Path profile, int width, int height)
      throws MalformedURLException {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments(
        "--headless",
        "--no-sandbox", // as root, as in CI
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    o.setPageLoadTimeout(STEP);
    o.setScriptTimeout(STEP);
    RemoteWebDriver d = new RemoteWebDriver(URI.create("http://127.0.0.1:" + port).toURL(), o);
    try {
      // The window's inner size is the page's: what the screenshots measure.
      Object inner = d.executeScript("return [window.innerWidth, window.innerHeight]");
      List<?> wh = (List<?>) inner;
      int dw = width - ((Number) wh.get(0)).intValue();
      int dh = height - ((Number) wh.get(1)).intValue();
      if (dw != 0 || dh != 0) {
        d.manage().window().setSize(new Dimension(width + dw, height + dh));
      }
      return d;
    } catch (RuntimeException e) {
      d.quit();
      throw e;
    }
  }

  /** The WebDriver itself, for what this class does not say. */
  public WebDriver driver() {
    return driver;
  }

  /** Loads {@code url} and returns once its load event fired (bounded by the page-load timeout). */
  public void open(String url) {
    driver.get(url);
  }

  /** The first element matching the CSS selector, waiting up to {@code STEP} for it to appear. */
  public WebElement find(String css) {
    return waitFor(
        "an element " + css,
        () -> {
          List<WebElement> all = driver.findElements(By.cssSelector(css));
          return all.isEmpty() ? null : all.get(0);
        },
        STEP);
  }

  /** Every element matching the CSS selector now, in document order. */
  public List<WebElement> findAll(String css) {
    return new ArrayList<>(driver.findElements(By.cssSelector(css)));
  }

  /** Clicks the element as a person would (it must be visible and not covered). */
  public void click(String css) {
    find(css).click();
  }

  /** Types {@code text} into the field after clearing it. */
  public void type(String css, String text) {
    WebElement e = find(css);
    e.clear();
    e.sendKeys(text);
  }

  /**
   * Submits a form as a person would: clicks {@code css} when it is a submit button, else submits
   * the form that holds the element (as Enter in a field would); then waits until the page that
   * answers has replaced this one.
   */
  public void submit(String css) {
    WebElement e = find(css);
    String type = e.getDomProperty("type");
    if ("submit".equals(type)) {
      e.click();
    } else {
      e.submit();
    }
    waitFor("the submitted page to load", () -> stale(e) ? Boolean.TRUE : null, STEP);
  }

  private static boolean stale(WebElement e) {
    try {
      e.isEnabled();
      return false;
    } catch (StaleElementReferenceException gone) {
      return true;
    } catch (WebDriverException other) {
      // asked while the new page replaces the old, Chromium says so in other words (seen once)
      if (String.valueOf(other.getMessage()).contains("does not belong to the document")) {
        return true;
      }
      throw other;
    }
  }

  /** The element's text as shown (rendered, trimmed). */
  public String text(String css) {
    return find(css).getText();
  }

  /** The page's title. */
  public String title() {
    return driver.getTitle();
  }

  /**
   * Waits up to {@code timeout} until the element's text satisfies {@code wanted} and returns that
   * text; fails saying the last text seen.
   */
  public String waitForText(String css, Predicate<String> wanted, Duration timeout) {
    String[] last = {null};
    return waitFor(
        () -> "the text of " + css + " to change (last seen: \"" + last[0] + "\")",
        () -> {
          List<WebElement> all = driver.findElements(By.cssSelector(css));
          if (all.isEmpty()) {
            return null;
          }
          try {
            last[0] = all.get(0).getText();
          } catch (StaleElementReferenceException e) {
            return null;
          }
          return wanted.test(last[0]) ? last[0] : null;
        },
        timeout);
  }

  /** Waits until {@code css}'s text equals {@code expected}. */
  public String waitForText(String css, String expected, Duration timeout) {
    return waitForText(css, expected::equals, timeout);
  }

  /** Writes a PNG screenshot of the page's viewport to {@code png} and returns it. */
  public Path screenshot(Path png) throws IOException {
    byte[] bytes = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, bytes);
    return png;
  }

  /**
   * Polls {@code probe} every 50 ms until it returns non-null, up to {@code timeout}; a missing
   * element counts as not yet.
   */
  public static <T> T waitFor(String what, Supplier<T> probe, Duration timeout) {
    return waitFor(() -> what, probe, timeout);
  }

  private static <T> T waitFor(Supplier<String> what, Supplier<T> probe, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        T t = probe.get();
        if (t != null) {
          return t;
        }
      } catch (NoSuchElementException e) {
        // not there yet
      }
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what.get(), e);
      }
    }
  }

  /**
   * Ends the session (bounded), then chromedriver and every process left of this browser, and
   * removes the profile. Safe to call twice.
   */
  @Override
  public void close() {
    try {
      CompletableFuture<Void> quit = CompletableFuture.runAsync(driver::quit);
      quit.get(STEP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // killed below
    } finally {
      killAll(driverProcess, profile);
      removeHook(hook);
    }
  }

  /** Processes whose command line names this browser's profile folder: Chromium and its helpers. */
  static List<ProcessHandle> browserProcesses(Path profile) {
    String mark = profile.toString();
    List<ProcessHandle> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            h -> {
              String cmd = h.info().commandLine().orElse("");
              if (cmd.contains(mark)) {
                found.add(h);
              }
            });
    return found;
  }

  /** Whether any process of this browser (or its chromedriver) still runs. */
  public boolean anyProcessLeft() {
    return driverProcess.isAlive() || !browserProcesses(profile).isEmpty();
  }

  private static void killAll(Process driver, Path profile) {
    List<ProcessHandle> all = new ArrayList<>(driver.descendants().toList());
    all.addAll(browserProcesses(profile));
    all.add(driver.toHandle());
    for (ProcessHandle h : all) {
      h.destroyForcibly();
    }
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        // reported by anyProcessLeft
      }
    }
    deleteQuietly(profile);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount())
          .forEach(
              f -> {
                try {
                  Files.deleteIfExists(f);
                } catch (IOException e) {
                  // a file Chromium still held; the test's temporary folder goes anyway
                }
              });
    } catch (IOException e) {
      // as above
    }
  }
}
