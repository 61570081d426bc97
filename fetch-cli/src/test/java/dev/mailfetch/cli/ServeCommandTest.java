package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.HostileCase;
import dev.mailfetch.testkit.MailCorpus;
import dev.mailfetch.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailfetch serve} over HTTP, started in this JVM against fake POP3 servers: the page, the
 * actions and their token, the password, the probes, the bounds. (The page in a real browser: the
 * browser tests.)
 */
@Timeout(120)
class ServeCommandTest {
  @TempDir Path tmp;

  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** A serve running in this JVM (ServeUnderTest), stopped after the test. */
  private ServeUnderTest serve(Map<String, String> env, Path config, String... more)
      throws Exception {
    ServeUnderTest s = ServeUnderTest.start(env, config, more);
    closing.add(s);
    return s;
  }

  /**
   * accounts.properties of one account, alice (password in ALICE_PW), on a fake POP3 server of one
   * generated message; that server.
   */
  private FakePop3Server aliceOnly(long seed) throws IOException {
    FakePop3Server alice =
        server(
            FakePop3Server.builder()
                .account("alice", "alices pw", MailCorpus.generate(seed, 1).toMailbox()));
    Files.writeString(
        tmp.resolve("accounts.properties"),
        ServeUnderTest.account("alice", alice, "alice", "password-env = ALICE_PW", tmp.resolve("a"))
            + "\n");
    return alice;
  }

  private FakePop3Server server(FakePop3Server.Builder b) {
    FakePop3Server s = b.start();
    closing.add(s);
    return s;
  }

  private HttpResponse<String> get(URI base, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI base, String path, String form) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String token(String page) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
    assertTrue(m.find(), "the page's forms carry the token: " + page);
    return m.group(1);
  }

  /** Waits until the accounts' JSON satisfies {@code done}; returns it. */
  private String await(URI base, Predicate<String> done) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String json = "";
    while (System.nanoTime() < end) {
      json = get(base, "/accounts.json").body();
      if (done.test(json)) {
        return json;
      }
      Thread.sleep(50);
    }
    fail("never came: " + json);
    return json;
  }

  /** The JSON object of one account in /accounts.json. */
  private static String row(String json, String name) {
    int i = json.indexOf("{\"name\":\"" + name + "\"");
    assertTrue(i >= 0, name + " in " + json);
    return json.substring(i, json.indexOf('}', i) + 1);
  }

  /** A -ERR that would run a script if a page took it as markup. */
  private static final String HTML_ERR =
      "-ERR [AUTH] <script>alert(1)</script><img src=x onerror=alert(2)>\"'&\r\n";

  @Test
  void page_listsAccounts_checkNowRunsOneCheck_resumes_escapesHostileText_readyzFlips()
      throws Exception {
    FakePop3Server alice =
        server(
            FakePop3Server.builder()
                .account("alice", "alices pw", MailCorpus.generate(81, 3).toMailbox()));
    FakePop3Server bob =
        server(
            FakePop3Server.builder()
                .account("bob", "bobs pw", MailCorpus.generate(82, 2).toMailbox()));
    // docs/hostile.md L-01: format strings, ANSI escapes, a CR, ${jndi:…} in every server text
    FakePop3Server mallory =
        server(
            HostileCase.L01_LOG_INJECTION.applyTo(
                FakePop3Server.builder()
                    .account("mallory", "mallorys pw", MailCorpus.generate(83, 1).toMailbox()),
                null));
    // and HTML: a -ERR that would run a script if a page took it as markup
    FakePop3Server eve =
        server(
            FakePop3Server.builder()
                .account("eve", "eves pw", MailCorpus.generate(84, 1).toMailbox())
                .respond("AUTH", HTML_ERR, FakePop3Server.After.CONTINUE)
                .respond("PASS", HTML_ERR, FakePop3Server.After.CONTINUE));
    Path bobPw = tmp.resolve("bob.pw");
    Files.writeString(bobPw, "not bobs\n");
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            ServeUnderTest.account(
                "alice", alice, "alice", "password-env = ALICE_PW", tmp.resolve("a")),
            ServeUnderTest.account("bob", bob, "bob", "password-file = " + bobPw, tmp.resolve("b")),
            ServeUnderTest.account(
                "mallory", mallory, "mallory", "password-env = M_PW", tmp.resolve("m")),
            ServeUnderTest.account("eve", eve, "eve", "password-env = E_PW", tmp.resolve("e")),
            ""));
    Map<String, String> env = new HashMap<>();
    env.put("ALICE_PW", "alices pw");
    env.put("M_PW", "mallorys pw");
    env.put("E_PW", "eves pw");
    ServeUnderTest s = serve(env, config);

    // every account checked once at start (as poll does): alice works, the others are paused
    String json =
        await(
            s.base,
            j ->
                row(j, "alice").contains("\"state\":\"idle\"")
                    && row(j, "bob").contains("\"paused\":true")
                    && !row(j, "mallory").contains("\"outcome\":\"\"")
                    && !row(j, "mallory").contains("\"state\":\"checking\"")
                    && row(j, "eve").contains("\"state\":\"paused\""));
    assertTrue(row(json, "alice").contains("\"messages\":3"), json);
    assertEquals(1, alice.sessions().size());

    HttpResponse<String> page = get(s.base, "/");
    assertEquals(200, page.statusCode());
    for (String name : List.of("alice", "bob", "mallory", "eve")) {
      assertTrue(page.body().contains("data-account=\"" + name + "\""), page.body());
    }
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("nonce-"));
    assertFalse(page.body().contains("alices pw") || page.body().contains("bobs pw"), "no secret");

    // 3 of 4 failing, more than half: not ready
    HttpResponse<String> ready = get(s.base, "/readyz");
    assertEquals(503, ready.statusCode(), ready.body());
    assertTrue(ready.body().startsWith("not ready: 3 of 4 accounts failing"), ready.body());
    assertEquals(200, get(s.base, "/healthz").statusCode());
    assertTrue(get(s.base, "/readyz?format=json").body().contains("\"failing\":3"));

    // hostile text, escaped
    String evePage = get(s.base, "/accounts/eve").body();
    assertTrue(evePage.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), evePage);
    assertFalse(evePage.contains("<script>alert") || evePage.contains("<img src=x"), evePage);
    assertTrue(evePage.contains("data-error=\"AUTH_FAILED\""), evePage);
    String malloryPage = get(s.base, "/accounts/mallory").body();
    assertFalse(malloryPage.contains("\u001b") || malloryPage.contains("\r"), "no control bytes");
    assertTrue(malloryPage.contains("${jndi:ldap://127.0.0.1/x}"), "shown as text");

    // a POST without the token, or with another, is refused and checks nothing
    String token = token(page.body());
    HttpResponse<String> refused = post(s.base, "/accounts/alice/check", "back=/");
    assertEquals(403, refused.statusCode());
    assertEquals(403, post(s.base, "/accounts/alice/check", "csrf=" + "x" + token).statusCode());
    assertEquals(405, get(s.base, "/accounts/alice/check").statusCode(), "GET changes nothing");
    Thread.sleep(300);
    assertEquals(1, alice.sessions().size(), "nothing checked without the token");

    // Check now: exactly one check, and the row says what it found
    alice.mailbox("alice").add("From: a@example.org\r\nSubject: new\r\n\r\nnew mail\r\n");
    HttpResponse<String> checked = post(s.base, "/accounts/alice/check", "csrf=" + token);
    assertEquals(303, checked.statusCode());
    assertEquals("/", checked.headers().firstValue("Location").orElse(""));
    json = await(s.base, j -> row(j, "alice").contains("\"outcome\":\"1 new message"));
    assertTrue(row(json, "alice").contains("\"messages\":4"), json);
    Thread.sleep(300);
    assertEquals(2, alice.sessions().size(), "one check, one session");

    // the paused account's remedy names the page's button (poll's words say to restart it)
    String bobPaused = get(s.base, "/accounts/bob").body();
    assertTrue(bobPaused.contains(Advice.RESUME), bobPaused);
    assertFalse(bobPaused.contains("restart it after"), bobPaused);
    // and so does its line on stderr
    String said = s.err.toString();
    assertTrue(said.contains("Resume is pressed on its page or serve is restarted"), said);
    assertFalse(said.contains("until the poll is restarted"), said);

    // bob's password is fixed in its file; Resume checks it at once and it works
    Files.writeString(bobPw, "bobs pw\n");
    HttpResponse<String> resumed =
        post(s.base, "/accounts/bob/resume", "csrf=" + token + "&back=/accounts/bob");
    assertEquals(303, resumed.statusCode());
    assertEquals("/accounts/bob", resumed.headers().firstValue("Location").orElse(""));
    json = await(s.base, j -> row(j, "bob").contains("\"messages\":2"));
    assertTrue(row(json, "bob").contains("\"state\":\"idle\""), json);
    try (Stream<Path> delivered = Files.list(tmp.resolve("b/new"))) {
      assertEquals(2, delivered.count());
    }

    // 2 of 4 failing: at most half, ready again
    ready = get(s.base, "/readyz");
    assertEquals(200, ready.statusCode(), ready.body());

    // the account page: history table, chart, doctor
    String bobPage = get(s.base, "/accounts/bob").body();
    assertTrue(bobPage.contains("<svg") && bobPage.contains("<rect"), bobPage);
    assertEquals(
        post(s.base, "/accounts/alice/doctor", "csrf=" + token + "&back=/accounts/alice")
            .statusCode(),
        303);
    String report = "";
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end && !report.contains("data-doctor=\"done\"")) {
      Thread.sleep(100);
      report = get(s.base, "/accounts/alice").body();
    }
    assertTrue(report.contains("data-doctor=\"done\""), report);
    assertTrue(report.contains("Examining"), report);
    assertTrue(
        report.contains("\u2713 name resolution"), "its marks, whatever the locale: " + report);
    assertFalse(report.contains("alices pw"), "no secret in the doctor's report");
  }

  /**
   * docs/hostile.md T-08: a certificate whose subject holds ANSI escapes, a BEL, format strings and
   * {@code ${jndi:…}}, from a CA the account does not trust: its last error and the doctor's report
   * describe the certificate (by its names and issuer, as the command does) and no control
   * character reaches the page.
   */
  @Test
  void page_T08_hostileCertificateSubject_isShownAsTextInTheErrorAndTheDoctorsReport()
      throws Exception {
    FakePop3Server trent =
        server(
            HostileCase.T08_HOSTILE_SUBJECT.applyTo(
                FakePop3Server.builder()
                    .account("trent", "trents pw", MailCorpus.generate(86, 1).toMailbox()),
                TestCertificates.generate(TestCertificates.Profile.HOSTILE_SUBJECT)));
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "trent.url = pop3s://trent@127.0.0.1:" + trent.port(),
            "trent.password-env = T_PW",
            "trent.to = maildir:" + tmp.resolve("t"),
            ""));
    ServeUnderTest s = serve(Map.of("T_PW", "trents pw"), config);
    await(s.base, j -> row(j, "trent").contains("\"error\":\"CERTIFICATE_INVALID\""));

    String page = get(s.base, "/accounts/trent").body();
    assertTrue(page.contains("data-error=\"CERTIFICATE_INVALID\""), page);
    assertNoControlCharacters(page);

    assertEquals(
        303,
        post(s.base, "/accounts/trent/doctor", "csrf=" + token(get(s.base, "/").body()))
            .statusCode());
    String report = page;
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end && !report.contains("data-doctor=\"done\"")) {
      Thread.sleep(100);
      report = get(s.base, "/accounts/trent").body();
    }
    assertTrue(report.contains("data-doctor=\"done\""), report);
    assertTrue(
        report.contains("the server&#39;s certificate: localhost, 127.0.0.1, issued by CN="),
        "the doctor describes the certificate (its names and issuer), escaped: " + report);
    assertNoControlCharacters(report);
    assertFalse(report.contains("trents pw"), "no secret in the doctor's report");
  }

  /** No C0 control but the line breaks and tabs of the markup itself, no DEL, no C1. */
  private static void assertNoControlCharacters(String html) {
    html.chars()
        .filter(c -> (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0))
        .findFirst()
        .ifPresent(c -> fail(String.format("U+%04X on the page: %s", c, html)));
  }

  @Test
  void password_isAskedForEveryPageButTheProbes_andRequestsAreBounded() throws Exception {
    FakePop3Server alice = aliceOnly(85);
    Path config = tmp.resolve("accounts.properties");
    Map<String, String> env = new HashMap<>();
    env.put("ALICE_PW", "alices pw");
    env.put("PAGE_PW", "page pässword");
    ServeUnderTest s = serve(env, config, "--password-env", "PAGE_PW");
    assertFalse(s.out.toString().contains("page pässword"));

    HttpResponse<String> none = get(s.base, "/");
    assertEquals(401, none.statusCode());
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic "));
    assertEquals(401, get(s.base, "/", "Authorization", basic("any", "wrong")).statusCode());
    assertEquals(401, get(s.base, "/accounts.json", "Authorization", "Bearer x").statusCode());
    String auth = basic("anyone", "page pässword");
    HttpResponse<String> page = get(s.base, "/", "Authorization", auth);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("data-account=\"alice\""));
    assertEquals(200, get(s.base, "/healthz").statusCode(), "the probes answer without it");

    // bounds: a body larger than a form, an address too long, too many headers
    HttpResponse<String> large =
        http.send(
            HttpRequest.newBuilder(s.base.resolve("/accounts/alice/check"))
                .header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString("csrf=" + "x".repeat(10_000)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(413, large.statusCode());
    assertEquals(
        414, get(s.base, "/accounts/" + "a".repeat(3000), "Authorization", auth).statusCode());
    List<String> headers = new ArrayList<>(List.of("Authorization", auth));
    for (int i = 0; i < 100; i++) {
      headers.add("X-Filler-" + i);
      headers.add("y");
    }
    try {
      int status = get(s.base, "/", headers.toArray(new String[0])).statusCode();
      assertTrue(status == 431 || status == 400, "refused: " + status);
    } catch (IOException closed) {
      // the JDK's own bound (sun.net.httpserver.maxReqHeaders) closes the connection
    }
    assertEquals(1, alice.sessions().size(), "nothing checked by the refused requests");
  }

  @Test
  void passwordFile_isReadAgainWhenItChanges_andAnUnreadableOneClosesThePages() throws Exception {
    aliceOnly(86);
    Path config = tmp.resolve("accounts.properties");
    Path pw = tmp.resolve("page.pw");
    rotate(pw, "first pw\n");
    ServeUnderTest s = serve(Map.of("ALICE_PW", "alices pw"), config, "--password-file", "" + pw);
    assertEquals(200, get(s.base, "/", "Authorization", basic("x", "first pw")).statusCode());

    rotate(pw, "second pw\n"); // the operator rotates it: no restart
    assertEquals(401, get(s.base, "/", "Authorization", basic("x", "first pw")).statusCode());
    assertEquals(200, get(s.base, "/", "Authorization", basic("x", "second pw")).statusCode());

    // emptied, then gone: the pages close (503) rather than keep a password meant to be changed
    rotate(pw, "");
    HttpResponse<String> closed = get(s.base, "/", "Authorization", basic("x", "second pw"));
    assertEquals(503, closed.statusCode(), closed.body());
    assertTrue(closed.body().contains("cannot read its password file"), closed.body());
    assertEquals(503, get(s.base, "/accounts.json").statusCode(), "nobody is let in");
    Files.delete(pw);
    assertEquals(503, get(s.base, "/", "Authorization", basic("x", "second pw")).statusCode());
    assertEquals(200, get(s.base, "/healthz").statusCode(), "the probes answer as ever");

    rotate(pw, "third pw\n");
    assertEquals(401, get(s.base, "/", "Authorization", basic("x", "second pw")).statusCode());
    assertEquals(200, get(s.base, "/", "Authorization", basic("x", "third pw")).statusCode());
    assertFalse((s.out + "" + s.err).contains(" pw"), "no password printed");
  }

  private int rotations;

  /**
   * Writes the password file anew with a time of its own (a file system with coarse times could
   * give two writes of one second the same, and the new text may have the old one's size).
   */
  private void rotate(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(++rotations)));
  }

  @Test
  void doctorGivenUp_endsItsProcess_andClosesItsConnectionsToTheServer() throws Exception {
    // a server that greets and then never says another word; the poller's first check is closed
    // at once (a failed check, the next in 30 min), every later connection is the doctor's
    ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(mute);
    AtomicBoolean doctorAsked = new AtomicBoolean();
    LinkedBlockingQueue<Socket> held = new LinkedBlockingQueue<>();
    Thread taker =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket c = mute.accept();
                  if (doctorAsked.get()) {
                    c.getOutputStream().write("+OK mute\r\n".getBytes(StandardCharsets.US_ASCII));
                    held.add(c);
                  } else {
                    c.close();
                  }
                }
              } catch (IOException closed) {
                // the test is over
              }
            });
    taker.setDaemon(true);
    taker.start();
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "mute.url = pop3://mute@127.0.0.1:" + mute.getLocalPort(),
            "mute.password-env = MUTE_PW",
            "mute.tls = none",
            "mute.allow-plaintext-auth = true",
            "mute.timeout = 120", // the doctor's own wait for an answer: far beyond --doctor-time
            "mute.to = maildir:" + tmp.resolve("m"),
            ""));
    ServeUnderTest s =
        serve(Map.of("MUTE_PW", "mutes pw"), config, "--doctor-time", DOCTOR_SECONDS + "s");
    await(s.base, j -> row(j, "mute").contains("\"outcome\":\"failed"));
    String token = token(get(s.base, "/").body());
    doctorAsked.set(true);
    long asked = System.nanoTime();
    assertEquals(303, post(s.base, "/accounts/mute/doctor", "csrf=" + token).statusCode());
    String page = "";
    while (!page.contains("data-doctor=\"done\"")
        && System.nanoTime() - asked < TimeUnit.SECONDS.toNanos(DOCTOR_SECONDS + 10)) {
      Thread.sleep(100);
      page = get(s.base, "/accounts/mute").body();
    }
    assertTrue(page.contains("given up after " + DOCTOR_SECONDS + " s"), page);
    List<Socket> doctors = new ArrayList<>(held);
    closing.addAll(doctors);
    assertFalse(doctors.isEmpty(), "the doctor connected before it was given up");
    // given up: each of its connections closed within seconds, not after the doctor's own 120 s
    for (Socket c : doctors) {
      c.setSoTimeout(10_000);
      try (InputStream in = c.getInputStream()) {
        while (in.read() >= 0) {
          // what the doctor asked (CAPA), unanswered
        }
      } catch (SocketTimeoutException e) {
        fail("a connection of the doctor was still open 10 s after it was given up");
      } catch (SocketException reset) {
        // closed by the process's end: a reset is as good as an end
      }
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (doctorProcesses() > 0 && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertEquals(0, doctorProcesses(), "the doctor's process ended");
  }

  /** How long the doctor test gives the doctor: its JVM starts within it on a loaded machine. */
  private static final int DOCTOR_SECONDS = 15;

  private static long doctorProcesses() {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.info().commandLine().orElse("").contains(Main.class.getName() + " doctor"))
        .count();
  }

  @Test
  void anotherHostsAddress_needsAllowRemoteAndAPassword_andOnceIsRefused() {
    FetchCommandTest.Run r =
        FetchCommandTest.mailfetch(
            Map.of(), "serve", "--config", "x.properties", "--listen", "0.0.0.0:0");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--allow-remote"), r.err());
    r =
        FetchCommandTest.mailfetch(
            Map.of(),
            "serve",
            "--config",
            "x.properties",
            "--listen",
            "0.0.0.0:0",
            "--allow-remote");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("needs a password"), r.err());
    r = FetchCommandTest.mailfetch(Map.of(), "serve", "--config", "x.properties", "--once");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--once is for mailfetch poll"), r.err());
  }

  @Test
  void help_listsServesOptionsAndPolls() {
    FetchCommandTest.Run r = FetchCommandTest.mailfetch(Map.of(), "serve", "--help");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("Usage: mailfetch serve"), r.out());
    for (String option :
        List.of("--listen", "--allow-remote", "--password-file", "--config", "--min-interval")) {
      assertTrue(r.out().contains(option), option + " in " + r.out());
    }
    FetchCommandTest.Run all = FetchCommandTest.mailfetch(Map.of(), "--help");
    assertTrue(all.out().contains("serve"), "listed among the commands: " + all.out());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
