package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.gmail.GmailCheckup.Check;
import dev.mailfetch.gmail.GmailCheckup.Code;
import dev.mailfetch.gmail.GmailCheckup.Finding;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks of {@code GmailCheckup}, in order; each one runs only where the earlier ones passed.
 * Every call goes through the sink's own {@link GmailApi} (same token handling, quota, retries), so
 * the checkup meets what a run would.
 */
public final class Checkup {
  private final Config config;
  private final Set<String> labels;
  private final boolean create;
  private final List<Finding> findings = new ArrayList<>();

  /**
   * A checkup of {@code config}'s mailbox and {@code labels}, creating missing ones if {@code
   * create}.
   */
  public Checkup(Config config, Set<String> labels, boolean create) {
    this.config = config;
    this.labels = labels;
    this.create = create;
  }

  private void add(Check check, Code code, String words) {
    findings.add(new Finding(code.check().orElse(check), code, words));
  }

  /** Runs the checks; never throws for what Gmail, the token endpoint or the network does. */
  public List<Finding> run() {
    GmailApi api =
        new GmailApi(
            config,
            new RateLimiter(
                config.quotaUnits(), config.quotaWindow().toNanos(), RateLimiter.Clock.SYSTEM),
            RateLimiter.Clock.SYSTEM);
    if (token() && account(api) && scopes(api)) {
      labels(api);
    }
    return List.copyOf(findings);
  }

  private void skip(Check... checks) {
    for (Check c : checks) {
      add(c, Code.NOT_CHECKED, "not checked: an earlier check failed");
    }
  }

  private boolean token() {
    try {
      String t = config.tokens().accessToken();
      if (t == null || t.isEmpty()) {
        add(Check.TOKEN, Code.TOKEN_UNAVAILABLE, "the token provider gave no access token");
      } else {
        add(Check.TOKEN, Code.TOKEN_OK, "an access token was had for " + config.mailbox());
        return true;
      }
    } catch (FetchException e) {
      add(
          Check.TOKEN,
          e.error() == FetchError.AUTH_FAILED ? Code.TOKEN_REFUSED : Code.TOKEN_UNAVAILABLE,
          e.getMessage());
    } catch (IOException | RuntimeException e) {
      add(Check.TOKEN, Code.TOKEN_UNAVAILABLE, "no access token could be had: " + e.getMessage());
    }
    skip(Check.ACCOUNT, Check.SCOPES, Check.LABELS);
    return false;
  }

  /** Files a failure of a Gmail call under the code that says what it means. */
  private void failed(Check check, FetchException e) {
    Code code;
    if (e.error() == FetchError.AUTH_TOKEN_EXPIRED) {
      code = Code.TOKEN_NOT_ACCEPTED;
    } else if (e instanceof GmailApi.ScopeMissing) {
      code = Code.SCOPE_MISSING;
    } else if (e.error() == FetchError.AUTH_FAILED) {
      code = Code.TOKEN_REFUSED;
    } else {
      code = Code.GMAIL_UNREACHABLE;
    }
    // Filed under the check that failed (a profile the token may not read is the account check's
    // failure), not under the check its code usually belongs to.
    findings.add(new Finding(check, code, e.getMessage()));
  }

  private boolean account(GmailApi api) {
    try {
      String address = api.profileAddress();
      if (address.trim().equalsIgnoreCase(config.mailbox())) {
        add(Check.ACCOUNT, Code.ACCOUNT_MATCHES, "the token opens the Gmail mailbox " + address);
        return true;
      }
      add(
          Check.ACCOUNT,
          Code.ACCOUNT_OTHER,
          "the token opens the Gmail mailbox "
              + address
              + ", not "
              + config.mailbox()
              + ": the sink would refuse to import into it");
    } catch (FetchException e) {
      failed(Check.ACCOUNT, e);
    } catch (IOException e) {
      add(
          Check.ACCOUNT,
          Code.GMAIL_UNREACHABLE,
          "reading the Gmail profile failed: " + e.getMessage());
    }
    skip(Check.SCOPES, Check.LABELS);
    return false;
  }

  private boolean scopes(GmailApi api) {
    List<String> missing = new ArrayList<>();
    try {
      api.labels();
    } catch (FetchException e) {
      if (!scopeMissing(e, missing, "listing and creating labels (gmail.labels or gmail.modify)")) {
        failed(Check.SCOPES, e);
        skip(Check.LABELS);
        return false;
      }
    } catch (IOException e) {
      add(Check.SCOPES, Code.GMAIL_UNREACHABLE, "listing the labels failed: " + e.getMessage());
      skip(Check.LABELS);
      return false;
    }
    try {
      api.findByMessageId("<mailfetch-checkup@invalid>");
    } catch (FetchException e) {
      if (!scopeMissing(
          e,
          missing,
          "finding a message by its Message-ID, to settle an import a crash left in doubt"
              + " (gmail.readonly or gmail.modify)")) {
        failed(Check.SCOPES, e);
        skip(Check.LABELS);
        return false;
      }
    } catch (IOException e) {
      add(Check.SCOPES, Code.GMAIL_UNREACHABLE, "searching failed: " + e.getMessage());
      skip(Check.LABELS);
      return false;
    }
    try {
      // An import without a message: Gmail refuses it as empty (400) when the token may import, and
      // as
      // forbidden (403) when it may not. Nothing is imported either way.
      api.call(
          "a trial import without a message",
          GmailApi.IMPORT_UNITS,
          t ->
              api.request(api.uri("gmail/v1/users/me/messages/import"), t)
                  .header("Content-Type", "application/json; charset=UTF-8")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
          null);
      add(
          Check.SCOPES,
          Code.GMAIL_UNREACHABLE,
          "Gmail accepted an import without a message: is the API address"
              + " right? "
              + config.apiBase());
      return false;
    } catch (GmailApi.Refusal r) {
      if (r.status != 400) {
        add(
            Check.SCOPES,
            Code.GMAIL_UNREACHABLE,
            "a trial import without a message was answered unexpectedly: " + r.getMessage());
        return false;
      }
    } catch (FetchException e) {
      if (!scopeMissing(e, missing, "importing messages (gmail.insert or gmail.modify)")) {
        failed(Check.SCOPES, e);
        skip(Check.LABELS);
        return false;
      }
    } catch (IOException e) {
      add(Check.SCOPES, Code.GMAIL_UNREACHABLE, "a trial import failed: " + e.getMessage());
      skip(Check.LABELS);
      return false;
    }
    if (!missing.isEmpty()) {
      add(
          Check.SCOPES,
          Code.SCOPE_MISSING,
          "the token does not allow " + String.join("; nor ", missing));
      skip(Check.LABELS);
      return false;
    }
    add(
        Check.SCOPES,
        Code.SCOPES_OK,
        "the token allows importing, labels and finding a message by its"
            + " Message-ID (adding labels to a message Gmail already holds needs gmail.modify)");
    return true;
  }

  private static boolean scopeMissing(FetchException e, List<String> missing, String what) {
    if (e instanceof GmailApi.ScopeMissing) {
      missing.add(what);
      return true;
    }
    return false;
  }

  private void labels(GmailApi api) {
    Labels cache = new Labels(api);
    try {
      List<Map<String, Object>> all = api.labels();
      add(Check.LABELS, Code.LABELS_LISTED, "Gmail has " + all.size() + " labels");
      TreeSet<String> existing = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      for (Map<String, Object> l : all) {
        Json.string(l, "name").ifPresent(existing::add);
      }
      for (String name : new TreeSet<>(labels)) {
        if (existing.contains(name.trim())) {
          add(Check.LABELS, Code.LABEL_PRESENT, "the label \"" + name + "\" exists");
        } else if (!create) {
          add(
              Check.LABELS,
              Code.LABEL_WILL_BE_CREATED,
              "the label \""
                  + name
                  + "\" does not exist yet: the first message filed under it creates it");
        } else {
          try {
            cache.idOf(name);
            add(Check.LABELS, Code.LABEL_CREATED, "the label \"" + name + "\" was created");
          } catch (FetchException e) {
            add(
                Check.LABELS,
                e.error() == FetchError.CONFIGURATION ? Code.LABEL_REFUSED : Code.GMAIL_UNREACHABLE,
                e.getMessage());
          }
        }
      }
    } catch (FetchException e) {
      failed(Check.LABELS, e);
    } catch (IOException e) {
      add(Check.LABELS, Code.GMAIL_UNREACHABLE, "listing the labels failed: " + e.getMessage());
    }
  }
}
