package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's load proof: {@code mailfetch serve} with 2,000 accounts answers the accounts page (its
 * first page and a later one), an account's page, {@code /accounts.json} and {@code /metrics}
 * through HTTP on loopback with a 95th percentile under 50 ms. Most accounts are on a loopback port
 * that hangs up at once (failing, as a fleet with a broken server is), some on a fake POP3 server
 * with a wrong password (paused), some working (idle): the page must put the paused and failing
 * ones first and count them as the poller does.
 *
 * <p>{@code -Dserve.load.print=true} prints the figures (docs/benchmarks.md), {@code
 * -Dserve.load.requests=N} sets the requests per address (default 200), {@code
 * -Dserve.load.jvm="OPTIONS"} adds options to the serve's JVM (a profiler).
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeLoadTest {
  private static final int ACCOUNTS = 2_000;
  private static final int PER_PAGE = 100;
  private static final int REQUESTS = Integer.getInteger("serve.load.requests", 200);
  private static final long P95_BOUND_MS = 50;

  @TempDir static Path tmp;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ServeProcess serve;
  private URI base;
  private int working;
  private int paused;

  /** Working accounts: every 50th; paused (wrong password): every 100th after; the rest fail. */
  private static boolean works(int i) {
    return i % 50 == 3;
  }

  private static boolean refused(int i) {
    return i % 100 == 28;
  }

  @BeforeAll
  void start() throws Exception {
    FakePop3Server.Builder b = FakePop3Server.builder();
    for (int i = 0; i < ACCOUNTS; i++) {
      if (works(i) || refused(i)) {
        b.account("user" + i, "pw" + i, MailCorpus.generate(1000 + i, 1 + i % 3).toMailbox());
      }
    }
    FakePop3Server pop = b.start();
    closing.add(pop);
    // the broken server: accepts and hangs up at once (no port guessed free)
    ServerSocket broken = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    closing.add(broken);
    Thread hangUp =
        new Thread(
            () -> {
              while (!broken.isClosed()) {
                try {
                  broken.accept().close();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "hang-up");
    hangUp.setDaemon(true);
    hangUp.start();
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < ACCOUNTS; i++) {
      String a = String.format(Locale.ROOT, "acct-%04d", i);
      int port = works(i) || refused(i) ? pop.port() : broken.getLocalPort();
      c.append(a).append(".url = pop3://user").append(i).append("@127.0.0.1:").append(port);
      c.append('\n').append(a).append(".password-env = ").append(refused(i) ? "BAD" : "PW" + i);
      c.append('\n').append(a).append(".tls = none\n");
      c.append(a).append(".allow-plaintext-auth = true\n");
      c.append(a).append(".timeout = 5\n");
      Path maildir = tmp.resolve("Mail").resolve(a);
      // made here, so that serve does not make them: it syncs each new one to the disk, which
      // takes a minute for 2,000 on this machine's disk and is no part of what is measured
      for (String sub : List.of("cur", "new", "tmp")) {
        Files.createDirectories(maildir.resolve(sub));
      }
      c.append(a).append(".to = maildir:").append(maildir).append('\n');
      if (works(i)) {
        working++;
      } else if (refused(i)) {
        paused++;
      }
    }
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(config, c, StandardCharsets.UTF_8);
    // serve as the command runs, in a JVM of its own with the launcher's options: a test JVM
    // has made other HTTP servers before (the fake Gmail), and the JDK reads the server's
    // settings once, at the first
    List<String> jvm =
        new ArrayList<>(
            List.of(
                "-XX:+UseSerialGC",
                "-Xms8m",
                "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30",
                "-XX:-UseOnStackReplacement",
                "-XX:MaxNodeLimit=12000",
                "-XX:NodeLimitFudgeFactor=300"));
    // -Dserve.load.jvm="-XX:StartFlightRecording=filename=serve.jfr" to profile the serve
    String more = System.getProperty("serve.load.jvm", "").trim();
    if (!more.isEmpty()) {
      jvm.addAll(List.of(more.split("\\s+")));
    }
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      env.put("PW" + i, "pw" + i);
    }
    env.put("BAD", "not the password");
    serve =
        ServeProcess.start(
            jvm,
            List.of(
                "--config",
                config.toString(),
                "--min-interval",
                "30m",
                "--max-interval",
                "60m",
                "--quiet",
                "--max-checks",
                "16",
                "--max-checks-per-host",
                "16"),
            env,
            tmp,
            Duration.ofSeconds(120));
    base = serve.base;
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    // the start's round over every account: as many checks ended as accounts, none running
    while (true) {
      Map<String, Double> m = metrics();
      double ended =
          m.entrySet().stream()
              .filter(e -> e.getKey().startsWith("mailfetch_checks_total{"))
              .mapToDouble(Map.Entry::getValue)
              .sum();
      if (ended >= ACCOUNTS && m.get("mailfetch_checks_running") == 0) {
        break;
      }
      assertTrue(System.nanoTime() < end, "the start's round ended: " + m + said());
      Thread.sleep(500);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (serve != null) {
      // SIGTERM: serve stops as a service manager stops it
      assertTrue(serve.stop(), "stopped on SIGTERM: " + said());
    }
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private String said() {
    return serve.said();
  }

  /** The samples of /metrics, by series (name and labels). */
  private Map<String, Double> metrics() throws Exception {
    Map<String, Double> samples = new HashMap<>();
    for (String line : get("/metrics").body().split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        int sp = line.lastIndexOf(' ');
        samples.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
      }
    }
    return samples;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The serve's own count of accounts by the page's state words, as its /metrics reads them from
   * the poller's status (PollMetrics, not the page's code).
   */
  private Map<String, Integer> pollersCounts() throws Exception {
    Map<String, Double> m = metrics();
    int all = m.get("mailfetch_accounts").intValue();
    int paused = m.get("mailfetch_accounts_paused").intValue();
    int failing = m.get("mailfetch_accounts_failing").intValue();
    int checking = m.get("mailfetch_checks_running").intValue();
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("total", all);
    counts.put("paused", paused);
    counts.put("failing", failing);
    counts.put("checking", checking);
    counts.put("idle", all - paused - failing - checking);
    return counts;
  }

  private static int count(String body, String regex) {
    Matcher m = Pattern.compile(regex).matcher(body);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void pages_showTheAccountsNeedingAPersonFirst_countedAsThePollerCountsThem() throws Exception {
    Map<String, Integer> counts = pollersCounts();
    assertEquals(paused, counts.get("paused"), counts.toString());
    assertEquals(working, counts.get("idle"), counts.toString());
    assertEquals(ACCOUNTS - working - paused, counts.get("failing"), counts.toString());
    assertEquals(ACCOUNTS, counts.get("total"), counts.toString());
    String ready = get("/readyz?format=json").body();
    assertTrue(ready.contains("\"failing\":" + (ACCOUNTS - working)), ready);

    String first = get("/").body();
    assertEquals(PER_PAGE, count(first, "<tr data-account="), "a page of rows");
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      assertTrue(
          first.contains("data-count=\"" + e.getKey() + "\">" + e.getValue() + "<"),
          e + " in the summary: " + first.substring(0, Math.min(first.length(), 3000)));
    }
    // the paused first, by name, then the failing
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("<tr data-account=\"([^\"]+)\"").matcher(first);
    while (m.find()) {
      names.add(m.group(1));
    }
    List<String> sorted = new ArrayList<>(names.subList(0, paused));
    sorted.sort(null);
    assertEquals(sorted, names.subList(0, paused), "the paused by name");
    assertEquals("acct-0028", names.get(0));
    assertEquals(paused, count(first, "data-field=\"state\" class=\"paused\""));
    assertEquals(PER_PAGE - paused, count(first, "data-field=\"state\" class=\"failing\""));

    int pages = (ACCOUNTS + PER_PAGE - 1) / PER_PAGE;
    String last = get("/?page=" + pages).body();
    assertEquals(PER_PAGE, count(last, "<tr data-account="), "the last page is full");
    assertEquals(working, count(last, "data-field=\"state\" class=\"idle\""), "the idle last");
    assertTrue(last.contains("data-account=\"acct-1953\""), "the last working account");

    String idle = get("/?state=idle").body();
    assertEquals(working, count(idle, "<tr data-account="), "the filter by state");
    String named = get("/?q=acct-19").body();
    assertEquals(100, count(named, "<tr data-account="), "the filter by name");

    String json = get("/accounts.json?page=2").body();
    assertEquals(PER_PAGE, count(json, "\\{\"name\":"), "the JSON is a page too");
    assertTrue(json.contains("\"page\":2,\"pages\":" + pages), json.substring(0, 300));
    assertTrue(json.contains("\"paused\":" + paused + ","), json.substring(0, 300));

    String account = get("/accounts/acct-0028").body();
    assertTrue(account.contains("AUTH_FAILED"), "the paused account's page");

    // Check now on page 2 goes back to page 2, and the page then shows the check (no copy of
    // the rows to go stale: each answer reads the poller)
    String second = get("/?page=2").body();
    Matcher t = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(second);
    assertTrue(t.find(), "the forms carry the token");
    assertTrue(second.contains("data-account=\"acct-0101\""), "a failing account on page 2");
    assertTrue(second.contains("name=\"back\" value=\"/?page=2\""), "the forms go back here");
    HttpResponse<String> checked =
        http.send(
            HttpRequest.newBuilder(base.resolve("/accounts/acct-0101/check"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + t.group(1) + "&back=/?page=2"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(303, checked.statusCode());
    assertEquals("/?page=2", checked.headers().firstValue("Location").orElse(""));
    String after = get("/?page=2").body();
    int row = after.indexOf("<tr data-account=\"acct-0101\"");
    assertTrue(row >= 0, "still failing, still on page 2");
    String cells = after.substring(row, after.indexOf("</tr>", row));
    assertTrue(cells.contains("last 2 checks") && cells.contains("2 failed checks"), cells);
  }

  @Test
  void pagesAndMetrics_answerWithin50ms_p95() throws Exception {
    Map<String, String> addresses = new LinkedHashMap<>();
    addresses.put("accounts page 1", "/");
    addresses.put("accounts page 12", "/?page=12");
    addresses.put("an account", "/accounts/acct-1234");
    addresses.put("accounts.json", "/accounts.json");
    addresses.put("metrics", "/metrics");
    // the baseline of the same run: the smallest answer, which reads no account
    addresses.put("healthz", "/healthz");
    // warm up: the JIT compiles the paths the measurement takes
    for (int i = 0; i < 50; i++) {
      for (String path : addresses.values()) {
        assertEquals(200, get(path).statusCode(), path);
      }
    }
    Map<String, long[]> times = new LinkedHashMap<>();
    Map<String, Integer> bytes = new LinkedHashMap<>();
    for (String name : addresses.keySet()) {
      times.put(name, new long[REQUESTS]);
    }
    // interleaved, so a burst of load on the machine falls on every address alike
    for (int i = 0; i < REQUESTS; i++) {
      for (Map.Entry<String, String> e : addresses.entrySet()) {
        long t0 = System.nanoTime();
        HttpResponse<String> r = get(e.getValue());
        long t = System.nanoTime() - t0;
        assertEquals(200, r.statusCode(), e.getValue());
        times.get(e.getKey())[i] = t;
        bytes.put(e.getKey(), r.body().getBytes(StandardCharsets.UTF_8).length);
      }
    }
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            Locale.ROOT,
            "serve at %,d accounts, %d requests each (loopback, HTTP/1.1, one client):%n",
            ACCOUNTS,
            REQUESTS));
    Map<String, Double> p95s = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : times.entrySet()) {
      long[] t = e.getValue().clone();
      Arrays.sort(t);
      double p95 = ms(t[(int) Math.ceil(t.length * 0.95) - 1]);
      p95s.put(e.getKey(), p95);
      report.append(
          String.format(
              Locale.ROOT,
              "  %-18s %,9d bytes  median %6.2f ms  p95 %6.2f ms  max %6.2f ms%n",
              e.getKey(),
              bytes.get(e.getKey()),
              ms(t[t.length / 2]),
              p95,
              ms(t[t.length - 1])));
    }
    if (Boolean.getBoolean("serve.load.print")) {
      System.out.print(report);
    }
    for (Map.Entry<String, Double> e : p95s.entrySet()) {
      assertTrue(e.getValue() < P95_BOUND_MS, e.getKey() + " p95 under 50 ms:\n" + report);
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
