package dev.mailfetch.cli.serve;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every request comes here and goes where it should: the probes, the password, the pages, the
 * actions. It bounds what the JDK's server does not (the request line, the headers, the body, the
 * requests waiting) and sets the headers that keep other sites' pages out (CSP, no framing, no
 * sniffing, nothing cached).
 */
final class SortingOffice implements HttpHandler {
  /** The thread that answers the requests beyond the waiting room, with 503 only. */
  static final String OVERFLOW_THREAD = "mailfetch-serve-busy";

  /** The longest request target, in characters. */
  static final int MAX_TARGET = 2048;

  /** The largest request body: a form of a token and a path. */
  static final int MAX_BODY = 4096;

  /** How long "Check now" waits for the check before showing the page again. */
  static final long CHECK_WAIT_MS = 2000;

  private final Mailboxes boxes;
  private final DoctorVisits doctor;
  private final CsrfToken csrf;
  private final Doorman doorman;
  private final HealthCheck health;
  private final ServeSite.Metrics metrics;
  private final SecureRandom random = new SecureRandom();

  SortingOffice(
      Mailboxes boxes,
      DoctorVisits doctor,
      CsrfToken csrf,
      Doorman doorman,
      HealthCheck health,
      ServeSite.Metrics metrics) {
    this.boxes = boxes;
    this.doctor = doctor;
    this.csrf = csrf;
    this.doorman = doorman;
    this.health = health;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange x) throws IOException {
    try (x) {
      if (Thread.currentThread().getName().equals(OVERFLOW_THREAD)) {
        x.getResponseHeaders().set("Retry-After", "2");
        refuse(x, 503, "Busy", "Too many requests at once; try again in a moment.");
        return;
      }
      String target = x.getRequestURI().toString();
      if (target.length() > MAX_TARGET) {
        refuse(x, 414, "Address too long", "The request's address is longer than it can be.");
        return;
      }
      if (tooManyHeaders(x.getRequestHeaders())) {
        refuse(x, 431, "Headers too large", "The request's headers are more than it may send.");
        return;
      }
      route(x);
    } catch (RuntimeException e) {
      // a bug: said as a plain page without the exception's words (they may quote hostile text)
      refuse(x, 500, "Error", "The page could not be made; the command's log may say more.");
    }
  }

  private void route(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getRawPath();
    String method = x.getRequestMethod();
    if (path.equals("/healthz") || path.equals("/readyz")) {
      if (!method.equals("GET")) {
        notAllowed(x, "GET");
        return;
      }
      probe(x, path.equals("/healthz") ? health.live() : health.ready());
      return;
    }
    Doorman.Verdict door = doorman.admits(x.getRequestHeaders().getFirst("Authorization"));
    if (door == Doorman.Verdict.CLOSED) {
      x.getResponseHeaders().set("Retry-After", "10");
      refuse(
          x,
          503,
          "Closed",
          "This mailfetch cannot read its password file now; its pages are closed until the file"
              + " can be read again.");
      return;
    }
    if (door == Doorman.Verdict.ASKED) {
      x.getResponseHeaders().set("WWW-Authenticate", Doorman.CHALLENGE);
      refuse(x, 401, "Password needed", "This mailfetch asks for its password.");
      return;
    }
    if (path.equals("/metrics")) {
      if (!method.equals("GET")) {
        notAllowed(x, "GET");
      } else if (metrics == null) {
        refuse(x, 404, "No metrics", "This build of mailfetch serve has no /metrics.");
      } else {
        // a few kB whatever the number of accounts (no series names one): made whole, then sent
        // with its length in one write rather than chunked
        ByteArrayOutputStream text = new ByteArrayOutputStream(8192);
        metrics.writeTo(text);
        x.getResponseHeaders().set("Content-Type", metrics.contentType());
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(200, text.size());
        try (OutputStream out = x.getResponseBody()) {
          text.writeTo(out);
        }
      }
      return;
    }
    if (path.equals("/")) {
      if (!method.equals("GET")) {
        notAllowed(x, "GET");
        return;
      }
      String nonce = nonce();
      AccountsView view =
          AccountsView.of(boxes, AccountsView.Query.parse(x.getRequestURI().getRawQuery()));
      html(x, 200, AccountsPage.render(boxes, view, csrf, nonce), nonce);
      return;
    }
    if (path.equals("/accounts.json")) {
      if (!method.equals("GET")) {
        notAllowed(x, "GET");
        return;
      }
      AccountsView view =
          AccountsView.of(boxes, AccountsView.Query.parse(x.getRequestURI().getRawQuery()));
      send(x, 200, "application/json; charset=utf-8", view.json(boxes), null);
      return;
    }
    if (path.startsWith("/accounts/")) {
      String[] parts = path.substring("/accounts/".length()).split("/", -1);
      String name = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      Optional<String> account = boxes.account(name);
      if (parts.length == 1) {
        if (!method.equals("GET")) {
          notAllowed(x, "GET");
        } else if (account.isEmpty()) {
          refuse(x, 404, "No such account", "No account of that name is polled here.");
        } else {
          accountPage(x, account.get());
        }
        return;
      }
      if (parts.length == 2 && List.of("check", "resume", "doctor").contains(parts[1])) {
        if (!method.equals("POST")) {
          notAllowed(x, "POST");
          return;
        }
        act(x, parts[1], account);
        return;
      }
    }
    refuse(x, 404, "Not found", "There is no such page.");
  }

  private void accountPage(HttpExchange x, String account) throws IOException {
    Optional<Mailboxes.Row> row = boxes.row(account);
    if (row.isEmpty()) {
      refuse(x, 404, "No such account", "No account of that name is polled here.");
      return;
    }
    String nonce = nonce();
    html(x, 200, AccountPage.render(boxes, row.get(), doctor.last(account), csrf, nonce), nonce);
  }

  /** A state-changing action: only with the token, then back to the page it came from (303). */
  private void act(HttpExchange x, String action, Optional<String> account) throws IOException {
    Map<String, String> form = form(x);
    if (form == null) {
      return; // refused: too large
    }
    if (!csrf.matches(form.get(CsrfToken.FIELD)) || crossSite(x.getRequestHeaders())) {
      refuse(
          x,
          403,
          "Refused",
          "This action needs the form of this server's page (its token was missing or wrong)."
              + " Reload the page and try again.");
      return;
    }
    if (account.isEmpty()) {
      refuse(x, 404, "No such account", "No account of that name is polled here.");
      return;
    }
    String a = account.get();
    try {
      switch (action) {
        case "check":
          // single flight: the running check if there is one (Poller#checkNow); a little wait
          // lets the page shown next carry its outcome
          CompletableFuture<?> f = boxes.poller.checkNow(a);
          try {
            f.get(CHECK_WAIT_MS, TimeUnit.MILLISECONDS);
          } catch (TimeoutException | ExecutionException e) {
            // still running (the row says checking), or failed (its record says how)
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          break;
        case "resume":
          boxes.poller.resume(a);
          break;
        default:
          doctor.start(a);
      }
    } catch (IllegalArgumentException gone) {
      refuse(x, 404, "No such account", "No account of that name is polled here.");
      return;
    }
    x.getResponseHeaders().set("Location", back(form.get("back")));
    x.getResponseHeaders().set("Cache-Control", "no-store");
    x.sendResponseHeaders(303, -1);
  }

  /**
   * Where an action goes back to: this site's accounts page (a page of it: {@code /?page=3}) or an
   * account's page, nothing else.
   */
  static String back(String given) {
    if (given != null
        && (given.startsWith("/accounts/") || given.startsWith("/?"))
        && given.indexOf("//") < 0
        && given.indexOf('\\') < 0
        && given.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return given;
    }
    return "/";
  }

  /**
   * A browser says where a request comes from: a form of another site is refused even before its
   * token is (it cannot have it anyway).
   */
  private static boolean crossSite(Headers h) {
    String site = h.getFirst("Sec-Fetch-Site");
    if (site != null && site.equals("cross-site")) {
      return true;
    }
    String origin = h.getFirst("Origin");
    String host = h.getFirst("Host");
    if (origin == null || origin.equals("null") || host == null) {
      return false;
    }
    return !(origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  /** The form of a POST, read up to {@link #MAX_BODY}; null once a 413 is sent. */
  private static Map<String, String> form(HttpExchange x) throws IOException {
    String length = x.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > MAX_BODY) {
          refuse(x, 413, "Too large", "The request's body is larger than a form of this page.");
          return null;
        }
      } catch (NumberFormatException e) {
        refuse(x, 400, "Bad request", "The request's Content-Length is not a number.");
        return null;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buf = new byte[1024];
    try (InputStream in = x.getRequestBody()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        body.write(buf, 0, n);
        if (body.size() > MAX_BODY) {
          refuse(x, 413, "Too large", "The request's body is larger than a form of this page.");
          return null;
        }
      }
    }
    Map<String, String> form = new HashMap<>();
    for (String pair : body.toString(StandardCharsets.US_ASCII).split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.putIfAbsent(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  private static boolean tooManyHeaders(Headers h) {
    int count = 0;
    long bytes = 0;
    for (Map.Entry<String, List<String>> e : h.entrySet()) {
      for (String v : e.getValue()) {
        count++;
        bytes += (long) e.getKey().length() + v.length() + 4;
      }
    }
    return count > ServerLimits.MAX_HEADERS || bytes > ServerLimits.MAX_HEADER_BYTES;
  }

  private void probe(HttpExchange x, HealthCheck.Answer a) throws IOException {
    String query = x.getRequestURI().getRawQuery();
    String accept = x.getRequestHeaders().getFirst("Accept");
    boolean json =
        (query != null && query.contains("format=json"))
            || (accept != null && accept.contains("application/json"));
    send(
        x,
        a.status(),
        json ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
        json ? a.json() : a.text(),
        null);
  }

  private static void notAllowed(HttpExchange x, String allow) throws IOException {
    x.getResponseHeaders().set("Allow", allow);
    refuse(x, 405, "Method not allowed", "This address takes " + allow + " only.");
  }

  private static void refuse(HttpExchange x, int status, String title, String words)
      throws IOException {
    send(x, status, "text/html; charset=utf-8", PageShell.refusal(title, words), null);
  }

  private static void html(HttpExchange x, int status, String page, String nonce)
      throws IOException {
    send(x, status, "text/html; charset=utf-8", page, nonce);
  }

  private static void send(HttpExchange x, int status, String type, String body, String nonce)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Headers h = x.getResponseHeaders();
    h.set("Content-Type", type);
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Content-Security-Policy", PageShell.policy(nonce));
    boolean head = x.getRequestMethod().equals("HEAD");
    x.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private String nonce() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
