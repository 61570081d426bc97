package dev.mailfetch.cli.serve;

import java.util.List;

/**
 * The accounts page: one row per account, as Gmail's settings showed each fetched account — what it
 * is doing, its last check and what came of it, what it fetched, when it is checked next and why
 * then; "Check now", and "Resume" for a paused account. Plain HTML forms: it works without
 * JavaScript; a small script only refreshes the rows from {@code /accounts.json}.
 */
final class AccountsPage {
  private AccountsPage() {}

  /** Refreshes each row's cells by their data-field, as text (never as HTML). */
  static final String LIVE =
      "(function(){function t(){fetch('/accounts.json',{credentials:'same-origin'})"
          + ".then(function(r){return r.ok?r.json():null}).then(function(j){if(!j)return;"
          + "j.accounts.forEach(function(a){var row=document.querySelector("
          + "'tr[data-account=\"'+CSS.escape(a.name)+'\"]');if(!row)return;"
          + "function s(f,v){var c=row.querySelector('[data-field='+f+']');if(c)c.textContent=v}"
          + "s('state',a.state);row.querySelector('[data-field=state]').className=a.state;"
          + "s('last',a.lastCheckAgo);s('outcome',a.outcome);s('fetched',a.fetched);"
          + "s('next',a.nextCheckIn);s('interval',a.interval);s('why',a.why);"
          + "var r=row.querySelector('form[data-resume]');if(r)r.hidden=!a.paused;"
          + "})}).catch(function(){})}setInterval(t,3000)})();";

  static String render(Mailboxes boxes, CsrfToken csrf, String nonce) {
    List<Mailboxes.Row> rows = boxes.rows();
    StringBuilder sb = new StringBuilder(512 + rows.size() * 900);
    sb.append("<h1>Mail accounts</h1>\n<p class=\"small\">")
        .append(rows.size())
        .append(rows.size() == 1 ? " account" : " accounts")
        .append(", as of ")
        .append(HtmlText.escape(boxes.time(boxes.clock.instant())))
        .append(". The rows refresh every few seconds with JavaScript; without it, reload.</p>\n")
        .append("<table><thead><tr><th>Account</th><th>State</th><th>Last check</th>")
        .append("<th>Outcome</th><th>Fetched</th><th>Next check</th><th>Interval</th>")
        .append("<th>Why</th><th></th></tr></thead><tbody>\n");
    for (Mailboxes.Row r : rows) {
      String name = HtmlText.escape(r.name());
      String path = "/accounts/" + HtmlText.segment(r.name());
      sb.append("<tr data-account=\"")
          .append(name)
          .append("\"><td><a href=\"")
          .append(HtmlText.escape(path))
          .append("\">")
          .append(name)
          .append("</a></td><td data-field=\"state\" class=\"")
          .append(r.state().word())
          .append("\">")
          .append(r.state().word())
          .append("</td><td data-field=\"last\" title=\"")
          .append(HtmlText.escape(r.last().map(l -> boxes.time(l.started())).orElse("")))
          .append("\">")
          .append(HtmlText.escape(r.last().map(l -> boxes.relative(l.started())).orElse("not yet")))
          .append("</td><td data-field=\"outcome\">")
          .append(HtmlText.escape(r.last().map(Mailboxes::outcome).orElse("")))
          .append("</td><td data-field=\"fetched\">")
          .append(HtmlText.escape(Mailboxes.fetchedWords(r)))
          .append("</td><td data-field=\"next\">")
          .append(HtmlText.escape(r.next().map(boxes::relative).orElse("paused")))
          .append("</td><td data-field=\"interval\">")
          .append(HtmlText.escape(Mailboxes.intervalWords(r)))
          .append("</td><td data-field=\"why\">")
          .append(HtmlText.escape(r.why()))
          .append("</td><td>")
          .append(button(path + "/check", "Check now", csrf, "/", false))
          .append(button(path + "/resume", "Resume", csrf, "/", !r.paused()))
          .append("</td></tr>\n");
    }
    sb.append("</tbody></table>\n<p class=\"small\"><a href=\"/accounts.json\">JSON</a> · ")
        .append("<a href=\"/readyz\">readiness</a></p>");
    return PageShell.page("Mail accounts", sb.toString(), LIVE, nonce);
  }

  /**
   * A POST form of one button, with the CSRF token and where to go back to; Resume's is hidden (not
   * absent) while the account is not paused, so the live update can show it.
   */
  static String button(String action, String label, CsrfToken csrf, String back, boolean hidden) {
    return "<form method=\"post\" action=\""
        + HtmlText.escape(action)
        + "\""
        + (label.equals("Resume") ? " data-resume" : "")
        + (hidden ? " hidden" : "")
        + ">"
        + csrf.field()
        + "<input type=\"hidden\" name=\"back\" value=\""
        + HtmlText.escape(back)
        + "\"><button type=\"submit\">"
        + HtmlText.escape(label)
        + "</button></form> ";
  }
}
