package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.cli.browser.HeadlessChromium;
import dev.mailfetch.poll.Poller;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.MailCorpus;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The pages of {@code mailfetch serve} in a real browser (issue 23's proof): one serve, started in
 * this JVM against fake POP3 servers, and one headless Chromium for the whole class (starting it
 * costs seconds here). The tests run in order, each on what the one before left: the accounts
 * listed, "Check now" making exactly one POP3 session and the row updating, a paused account
 * resumed, a hostile server's reply shown as text with no script run, a POST without the token
 * refused, the account page's history table and chart. Screenshots of both pages are written to
 * {@code target/serve-screenshots}, and to docs/img with {@code -Dserve.screenshots=DIR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ServePagesBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A reply that would run a script, and set the title, if a page took it as markup. */
  private static final String HOSTILE =
      "-ERR [AUTH] <script>window.pwned=1;document.title='pwned'</script>"
          + "<img src=x onerror=\"window.pwned=2\"> \"quoted\" 'single' & more\r\n";

  @TempDir static Path tmp;

  private final List<AutoCloseable> closing = new ArrayList<>();
  private FakePop3Server alice;
  private Path bobPassword;
  private ServeUnderTest serve;
  private HeadlessChromium browser;

  @BeforeAll
  void start() throws Exception {
    HeadlessChromium.assumeInstalled();
    alice =
        started(
            FakePop3Server.builder()
                .account("alice", "alices pw", MailCorpus.generate(91, 3).toMailbox()));
    FakePop3Server bob =
        started(
            FakePop3Server.builder()
                .account("bob", "bobs pw", MailCorpus.generate(92, 2).toMailbox()));
    FakePop3Server eve =
        started(
            FakePop3Server.builder()
                .account("eve", "eves pw", MailCorpus.generate(93, 1).toMailbox())
                .respond("AUTH", HOSTILE, FakePop3Server.After.CONTINUE)
                .respond("PASS", HOSTILE, FakePop3Server.After.CONTINUE));
    bobPassword = tmp.resolve("bob.pw");
    Files.writeString(bobPassword, "not bobs\n");
    Path config = tmp.resolve("accounts.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            ServeUnderTest.account(
                "alice", alice, "alice", "password-env = A_PW", tmp.resolve("a")),
            ServeUnderTest.account(
                "bob", bob, "bob", "password-file = " + bobPassword, tmp.resolve("b")),
            ServeUnderTest.account("eve", eve, "eve", "password-env = E_PW", tmp.resolve("e")),
            ""));
    serve = ServeUnderTest.start(Map.of("A_PW", "alices pw", "E_PW", "eves pw"), config);
    closing.add(serve);
    // the start's round: alice fetches, bob (wrong password) and eve (refused) are paused
    HeadlessChromium.waitFor(
        "the start's round to end",
        () -> {
          Poller p = serve.command.poller;
          boolean ended =
              p != null
                  && p.accounts().stream()
                      .allMatch(a -> !p.history(a).isEmpty() && !p.status(a).checking());
          return ended ? Boolean.TRUE : null;
        },
        WAIT);
    browser = HeadlessChromium.start(tmp, 1100, 520);
    closing.add(browser);
  }

  private FakePop3Server started(FakePop3Server.Builder b) {
    FakePop3Server s = b.start();
    closing.add(s);
    return s;
  }

  @AfterAll
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private static String row(String account) {
    return "tr[data-account=\"" + account + "\"]";
  }

  /** Alice's account as the poller names it (its URL names her). */
  private String alicesAccount() {
    List<String> a =
        serve.command.poller.accounts().stream().filter(n -> n.contains("alice")).toList();
    assertEquals(1, a.size(), a.toString());
    return a.get(0);
  }

  private Object script(String js, Object... args) {
    return ((JavascriptExecutor) browser.driver()).executeScript(js, args);
  }

  @Test
  @Order(1)
  void accountsPage_listsTheAccounts_withTheirState() {
    browser.open(serve.url("/"));
    assertEquals("Mail accounts — mailfetch", browser.title());
    Set<String> listed =
        browser.findAll("tr[data-account]").stream()
            .map(e -> e.getDomAttribute("data-account"))
            .collect(Collectors.toSet());
    assertEquals(Set.of("alice", "bob", "eve"), listed);
    assertEquals("idle", browser.text(row("alice") + " [data-field=state]"));
    assertTrue(browser.text(row("alice") + " [data-field=outcome]").startsWith("3 new messages"));
    assertEquals("paused", browser.text(row("bob") + " [data-field=state]"));
    assertTrue(browser.find(row("bob") + " form[data-resume] button").isDisplayed());
    assertFalse(browser.find(row("alice") + " form[data-resume] button").isDisplayed());
  }

  @Test
  @Order(2)
  void checkNow_startsExactlyOneCheck_andTheRowUpdates() throws Exception {
    browser.open(serve.url("/"));
    int sessions = alice.sessions().size();
    alice.mailbox("alice").add("From: a@example.org\r\nSubject: new\r\n\r\nnew mail\r\n");
    browser.submit(row("alice") + " form[action$=\"/check\"] button");
    String outcome =
        browser.waitForText(
            row("alice") + " [data-field=outcome]", t -> t.startsWith("1 new message "), WAIT);
    assertTrue(browser.driver().getCurrentUrl().endsWith("/"), "back on the accounts page");
    Thread.sleep(300); // a second session, were there one, would have begun by now
    assertEquals(sessions + 1, alice.sessions().size(), "one click, one check: " + outcome);

    // a check the page did not start (as a scheduled one) shows without a reload: the script
    alice.mailbox("alice").add("From: a@example.org\r\nSubject: newer\r\n\r\nnewer mail\r\n");
    script("window.sameDocument = 'yes'");
    serve.command.poller.checkNow(alicesAccount()).get();
    browser.waitForText(
        row("alice") + " [data-field=fetched]", t -> t.startsWith("5 messages"), WAIT);
    assertEquals("yes", script("return window.sameDocument"), "updated in place, no reload");
  }

  @Test
  @Order(3)
  void pausedAccount_showsPaused_andResumeTakesItUp() throws Exception {
    browser.open(serve.url("/"));
    assertEquals("paused", browser.text(row("bob") + " [data-field=state]"));
    assertEquals("paused: AUTH_FAILED", browser.text(row("bob") + " [data-field=outcome]"));
    // its page says what to do, ending with the button (poll's words would say to restart it)
    browser.open(serve.url("/accounts/bob"));
    String remedy = browser.text("dl[data-error=AUTH_FAILED] dd:last-of-type");
    assertTrue(remedy.endsWith("Then press Resume to check it again."), remedy);
    browser.open(serve.url("/"));
    Files.writeString(bobPassword, "bobs pw\n"); // the person fixes the password
    browser.submit(row("bob") + " form[data-resume] button");
    browser.waitForText(row("bob") + " [data-field=state]", "idle", WAIT);
    browser.waitForText(
        row("bob") + " [data-field=outcome]", t -> t.startsWith("2 new messages"), WAIT);
    HeadlessChromium.waitFor(
        "Resume to be hidden again",
        () -> browser.find(row("bob") + " form[data-resume] button").isDisplayed() ? null : true,
        WAIT);
    try (Stream<Path> delivered = Files.list(tmp.resolve("b/new"))) {
      assertEquals(2, delivered.count());
    }
  }

  @Test
  @Order(4)
  void hostileServerText_showsAsText_andNoScriptRuns() {
    browser.open(serve.url("/accounts/eve"));
    assertEquals("eve — mailfetch", browser.title(), "no script set the title");
    assertEquals(null, script("return window.pwned === undefined ? null : window.pwned"));
    String error = browser.text("dl[data-error=AUTH_FAILED]");
    assertTrue(
        error.contains("<script>window.pwned=1;document.title='pwned'</script>"),
        "the reply's markup is shown as text: " + error);
    assertTrue(error.contains("quoted") && error.contains("'single' & more"), error);
    assertTrue(browser.findAll("img").isEmpty(), "no element made of the reply");
    assertEquals(
        0L,
        script("return document.scripts.length"),
        "the account page has no script, the reply made none");
  }

  @Test
  @Order(5)
  void postWithoutTheToken_isRefused_andChecksNothing() throws Exception {
    browser.open(serve.url("/"));
    int sessions = alice.sessions().size();
    // the form, its token field removed, submitted as the button would
    script(
        "document.querySelector(arguments[0]).remove()",
        row("alice") + " form[action$=\"/check\"] input[name=csrf]");
    browser.submit(row("alice") + " form[action$=\"/check\"] button");
    String refused = browser.text("body");
    assertTrue(refused.toLowerCase(Locale.ROOT).contains("reload"), refused);
    assertFalse(browser.title().startsWith("Mail accounts"), browser.title());
    // and a script's POST without it
    browser.open(serve.url("/"));
    Object status =
        ((JavascriptExecutor) browser.driver())
            .executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                    + "fetch('/accounts/alice/check', {method: 'POST',"
                    + " body: new URLSearchParams('back=/')}).then(r => done(r.status));");
    assertEquals(403L, status);
    Thread.sleep(300);
    assertEquals(sessions, alice.sessions().size(), "nothing checked without the token");
  }

  @Test
  @Order(6)
  void accountPage_showsTheHistoryTableAndChart_andScreenshots() throws IOException {
    Poller p = serve.command.poller;
    String aliceAccount = alicesAccount();
    browser.open(serve.url("/accounts/alice"));
    List<WebElement> checks = browser.findAll("table tbody tr");
    assertEquals(p.history(aliceAccount).size(), checks.size(), "one table row per check");
    assertTrue(checks.get(0).getText().contains("1 new message"), checks.get(0).getText());
    List<WebElement> bars = browser.findAll("svg rect");
    assertTrue(bars.size() >= p.history(aliceAccount).size(), "a bar per check: " + bars.size());
    assertTrue(browser.find("svg").getSize().getWidth() > 100, "the chart is drawn");
    browser.open(serve.url("/"));
    Path accounts = screenshot("serve-accounts.png");
    // the account page taller (the window has ~150 px of its own), to show the table
    browser.driver().manage().window().setSize(new Dimension(1100, 860));
    browser.open(serve.url("/accounts/alice"));
    Path account = screenshot("serve-account.png");
    for (Path png : List.of(account, accounts)) {
      BufferedImage image = ImageIO.read(png.toFile());
      assertTrue(image.getWidth() >= 1000 && image.getHeight() >= 480, png.toString());
    }
  }

  /** The viewport as PNG under target/, and in {@code -Dserve.screenshots=DIR} when given. */
  private Path screenshot(String name) throws IOException {
    Path png = browser.screenshot(Path.of("target", "serve-screenshots", name));
    String docs = System.getProperty("serve.screenshots");
    if (docs != null && !docs.isBlank()) {
      Files.createDirectories(Path.of(docs));
      Files.copy(png, Path.of(docs, name), StandardCopyOption.REPLACE_EXISTING);
    }
    return png;
  }
}
