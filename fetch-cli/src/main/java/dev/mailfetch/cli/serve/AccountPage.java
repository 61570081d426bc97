package dev.mailfetch.cli.serve;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Sizes;
import dev.mailfetch.poll.CheckRecord;
import java.util.List;
import java.util.Locale;

/**
 * One account's page: where it stands, the last error in the command's words (code, meaning,
 * remedy), its checks as a chart and a table, and the doctor. Gmail's "View history".
 */
final class AccountPage {
  private AccountPage() {}

  static String render(
      Mailboxes boxes, Mailboxes.Row r, DoctorVisits.Visit doctor, CsrfToken csrf, String nonce) {
    String name = HtmlText.escape(r.name());
    String path = "/accounts/" + HtmlText.segment(r.name());
    List<CheckRecord> history = boxes.poller.history(r.account());
    StringBuilder sb = new StringBuilder(4096 + history.size() * 400);
    sb.append("<p><a href=\"/\">← All accounts</a></p><h1>")
        .append(name)
        .append("</h1>\n<p>State: <strong class=\"")
        .append(r.state().word())
        .append("\">")
        .append(r.state().word())
        .append("</strong>. Next check: ")
        .append(HtmlText.escape(r.next().map(boxes::relative).orElse("none (paused)")))
        .append(" (")
        .append(HtmlText.escape(Mailboxes.intervalWords(r)))
        .append("; ")
        .append(HtmlText.escape(r.why()))
        .append(").</p>\n<p>")
        .append(AccountsPage.button(path + "/check", "Check now", csrf, path, false))
        .append(AccountsPage.button(path + "/resume", "Resume", csrf, path, !r.paused()))
        .append(AccountsPage.button(path + "/doctor", "Run doctor", csrf, path, false))
        .append("</p>\n");
    r.error().ifPresent(e -> error(sb, boxes, r, e));
    sb.append("<h2>Doctor</h2>\n");
    if (doctor == null) {
      sb.append("<p class=\"small\">Run the doctor to examine the server step by step (DNS,")
          .append(" connection, TLS, login, mailbox) without fetching anything.</p>\n");
    } else if (doctor.running()) {
      sb.append("<p data-doctor=\"running\">The doctor is examining the server (since ")
          .append(HtmlText.escape(boxes.time(doctor.started())))
          .append("); reload in a few seconds.</p>\n");
    } else {
      sb.append("<p class=\"small\" data-doctor=\"done\">Report of ")
          .append(HtmlText.escape(boxes.time(doctor.started())))
          .append(":</p><pre>")
          .append(HtmlText.escape(doctor.report()))
          .append("</pre>\n");
    }
    sb.append("<h2>Checks</h2>\n<p class=\"small\">The last ")
        .append(Sizes.count(history.size(), "check"))
        .append(" the poller keeps, oldest first: ")
        .append(HtmlText.escape(Mailboxes.fetchedWords(r)))
        .append(" fetched.</p>\n")
        .append(CheckChart.svg(history, boxes))
        .append("\n<table><thead><tr><th>Started</th><th>Why</th><th>Outcome</th>")
        .append("<th>Listed</th><th>Delivered</th><th>Size</th><th>Took</th><th>Error</th>")
        .append("</tr></thead><tbody>\n");
    for (int i = history.size() - 1; i >= 0; i--) { // newest at the top of the table
      CheckRecord c = history.get(i);
      sb.append("<tr><td>")
          .append(HtmlText.escape(boxes.time(c.started())))
          .append("</td><td>")
          .append(c.cause().name().toLowerCase(Locale.ROOT))
          .append("</td><td>")
          .append(HtmlText.escape(Mailboxes.outcome(c)))
          .append("</td><td>")
          .append(c.listed())
          .append("</td><td>")
          .append(c.delivered())
          .append("</td><td>")
          .append(HtmlText.escape(Sizes.size(c.bytes())))
          .append("</td><td>")
          .append(c.duration().toMillis())
          .append(" ms</td><td>")
          .append(HtmlText.escape(c.error().map(e -> e.error().name()).orElse("")))
          .append("</td></tr>\n");
    }
    sb.append("</tbody></table>\n");
    return PageShell.page(r.name(), sb.toString(), null, nonce);
  }

  /** The error in the words the command prints: code, what happened, meaning, remedy. */
  private static void error(StringBuilder sb, Mailboxes boxes, Mailboxes.Row r, FetchException e) {
    ServeSite.ErrorWords w = boxes.desk.words(r.account(), e, r.paused());
    sb.append("<h2>")
        .append(r.paused() ? "Why it is paused" : "Last error")
        .append("</h2>\n<dl data-error=\"")
        .append(HtmlText.escape(w.code()))
        .append("\"><dt>Code</dt><dd><code>")
        .append(HtmlText.escape(w.code()))
        .append("</code></dd><dt>What happened</dt><dd>")
        .append(HtmlText.escape(w.detail()))
        .append("</dd><dt>What it means</dt><dd>")
        .append(HtmlText.escape(w.meaning()))
        .append("</dd><dt>What to do</dt><dd>")
        .append(HtmlText.escape(w.remedy()))
        .append("</dd></dl>\n");
  }
}
