package dev.mailfetch.cli.serve;

import java.util.List;

/**
 * The accounts page: one row per account, as Gmail's settings showed each fetched account — what it
 * is doing, its last check and what came of it, what it fetched, when it is checked next and why
 * then; "Check now", and "Resume" for a paused account. With many accounts: a summary of the counts
 * by state, the accounts needing a person first, pages of {@link AccountsView#PER_PAGE} rows and a
 * filter (AccountsView). Plain HTML forms and links: it works without JavaScript; a small script
 * only refreshes the page's rows from {@code /accounts.json} of the same query.
 */
final class AccountsPage {
  private AccountsPage() {}

  /**
   * Refreshes the summary's counts and each row's cells by their data-field, as text (never as
   * HTML), from the JSON of this page's own query: a page's rows, not every account's. A row that
   * moved to another page (its state changed) is left as it was until the next reload.
   */
  static final String LIVE =
      "(function(){function t(){fetch('/accounts.json'+location.search,{credentials:'same-origin'})"
          + ".then(function(r){return r.ok?r.json():null}).then(function(j){if(!j)return;"
          + "Object.keys(j.summary).forEach(function(k){"
          + "var c=document.querySelector('[data-count='+k+']');if(c)c.textContent=j.summary[k]});"
          + "j.accounts.forEach(function(a){var row=document.querySelector("
          + "'tr[data-account=\"'+CSS.escape(a.name)+'\"]');if(!row)return;"
          + "function s(f,v){var c=row.querySelector('[data-field='+f+']');if(c)c.textContent=v}"
          + "s('state',a.state);row.querySelector('[data-field=state]').className=a.state;"
          + "s('last',a.lastCheckAgo);s('outcome',a.outcome);s('fetched',a.fetched);"
          + "s('next',a.nextCheckIn);s('interval',a.interval);s('why',a.why);"
          + "var r=row.querySelector('form[data-resume]');if(r)r.hidden=!a.paused;"
          + "})}).catch(function(){})}setInterval(t,3000)})();";

  /** The summary's order: what needs a person first. */
  private static final List<Mailboxes.State> SUMMARY =
      List.of(
          Mailboxes.State.PAUSED,
          Mailboxes.State.FAILING,
          Mailboxes.State.CHECKING,
          Mailboxes.State.IDLE);

  static String render(Mailboxes boxes, AccountsView v, CsrfToken csrf, String nonce) {
    StringBuilder sb = new StringBuilder(4096 + v.rows.size() * 900);
    sb.append("<h1>Mail accounts</h1>\n<p data-summary><span data-count=\"total\">")
        .append(v.total)
        .append("</span>")
        .append(v.total == 1 ? " account" : " accounts")
        .append(": ");
    for (Mailboxes.State s : SUMMARY) {
      sb.append(s == SUMMARY.get(0) ? "" : ", ")
          .append("<a href=\"/?state=")
          .append(s.word())
          .append("\" class=\"")
          .append(s.word())
          .append("\"><span data-count=\"")
          .append(s.word())
          .append("\">")
          .append(v.counts.get(s))
          .append("</span> ")
          .append(s.word())
          .append("</a>");
    }
    sb.append(". <span class=\"small\">As of ")
        .append(HtmlText.escape(boxes.time(boxes.clock.instant())))
        .append("; paused first, then failing, then the rest, each by name.")
        .append(
            " The rows refresh every few seconds with JavaScript; without it, reload.</span></p>\n");
    filter(sb, v);
    pager(sb, v);
    sb.append("<table><thead><tr><th>Account</th><th>State</th><th>Last check</th>")
        .append("<th>Outcome</th><th>Fetched</th><th>Next check</th><th>Interval</th>")
        .append("<th>Why</th><th></th></tr></thead><tbody>\n");
    String back = v.back();
    for (Mailboxes.Row r : v.rows) {
      row(sb, boxes, r, csrf, back);
    }
    sb.append("</tbody></table>\n");
    pager(sb, v);
    sb.append("<p class=\"small\"><a href=\"/accounts.json")
        .append(HtmlText.escape(v.query.search(v.page)))
        .append("\">JSON</a> · <a href=\"/readyz\">readiness</a></p>");
    return PageShell.page("Mail accounts", sb.toString(), LIVE, nonce);
  }

  private static void row(
      StringBuilder sb, Mailboxes boxes, Mailboxes.Row r, CsrfToken csrf, String back) {
    String name = HtmlText.escape(r.name());
    String path = "/accounts/" + HtmlText.segment(r.name());
    String word = r.state().word();
    sb.append("<tr data-account=\"")
        .append(name)
        .append("\"><td><a href=\"")
        .append(HtmlText.escape(path))
        .append("\">")
        .append(name)
        .append("</a></td><td data-field=\"state\" class=\"")
        .append(word)
        .append("\">")
        .append(word)
        .append("</td><td data-field=\"last\"");
    if (r.last().isPresent()) {
      sb.append(" title=\"")
          .append(HtmlText.escape(boxes.time(r.last().get().started())))
          .append("\">")
          .append(HtmlText.escape(boxes.relative(r.last().get().started())));
    } else {
      sb.append(">not yet");
    }
    sb.append("</td><td data-field=\"outcome\">")
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
        .append(button(path + "/check", "Check now", csrf, back, false))
        .append(button(path + "/resume", "Resume", csrf, back, !r.paused()))
        .append("</td></tr>\n");
  }

  /** A GET form: a state and a part of the name; works without JavaScript. */
  private static void filter(StringBuilder sb, AccountsView v) {
    sb.append("<form method=\"get\" action=\"/\" data-filter><label>Name contains ")
        .append("<input name=\"q\" size=\"16\" value=\"")
        .append(HtmlText.escape(v.query.q()))
        .append("\"></label> <label>State <select name=\"state\"><option value=\"\">any</option>");
    for (Mailboxes.State s : SUMMARY) {
      sb.append("<option")
          .append(s == v.query.state() ? " selected" : "")
          .append(">")
          .append(s.word())
          .append("</option>");
    }
    sb.append("</select></label> <button>Show</button>");
    if (v.query.state() != null || !v.query.q().isEmpty()) {
      sb.append(" <a href=\"/\">all accounts</a>");
    }
    sb.append("</form>\n");
  }

  /** "Rows 101-200 of 2000", and links to the first, previous, nearby, next and last pages. */
  private static void pager(StringBuilder sb, AccountsView v) {
    int from = v.matching == 0 ? 0 : (v.page - 1) * AccountsView.PER_PAGE + 1;
    sb.append("<p class=\"pages\">");
    if (v.matching == 0) {
      sb.append("No account matches.");
    } else {
      sb.append("Rows ")
          .append(from)
          .append("–")
          .append(from + v.rows.size() - 1)
          .append(" of ")
          .append(v.matching)
          .append(v.matching == v.total ? "" : " matching");
    }
    if (v.pages > 1) {
      sb.append(". Page ").append(v.page).append(" of ").append(v.pages).append(':');
      if (v.page > 1) {
        link(sb, v, v.page - 1, "← previous", "prev");
      }
      int lo = Math.max(1, v.page - 3);
      int hi = Math.min(v.pages, v.page + 3);
      if (lo > 1) {
        link(sb, v, 1, "1", null);
        if (lo > 2) {
          sb.append(" …");
        }
      }
      for (int p = lo; p <= hi; p++) {
        if (p == v.page) {
          sb.append(" <strong>").append(p).append("</strong>");
        } else {
          link(sb, v, p, String.valueOf(p), null);
        }
      }
      if (hi < v.pages) {
        if (hi < v.pages - 1) {
          sb.append(" …");
        }
        link(sb, v, v.pages, String.valueOf(v.pages), null);
      }
      if (v.page < v.pages) {
        link(sb, v, v.page + 1, "next →", "next");
      }
    }
    sb.append("</p>\n");
  }

  private static void link(StringBuilder sb, AccountsView v, int page, String words, String rel) {
    String search = v.query.search(page);
    sb.append(" <a href=\"")
        .append(HtmlText.escape("/" + search))
        .append('"')
        .append(rel == null ? "" : " rel=\"" + rel + "\"")
        .append('>')
        .append(words)
        .append("</a>");
  }

  /**
   * A POST form of one button, with the CSRF token and where to go back to; Resume's is hidden (not
   * absent) while the account is not paused, so the live update can show it. Nothing a browser
   * assumes is written (a form's button submits it; the first page is where an action goes back
   * to): a page has 200 of these forms.
   */
  static String button(String action, String label, CsrfToken csrf, String back, boolean hidden) {
    return "<form method=\"post\" action=\""
        + HtmlText.escape(action)
        + "\""
        + (label.equals("Resume") ? " data-resume" : "")
        + (hidden ? " hidden" : "")
        + ">"
        + csrf.field()
        + (back.equals("/")
            ? "" // where an action goes back to without one
            : "<input type=\"hidden\" name=\"back\" value=\"" + HtmlText.escape(back) + "\">")
        + "<button>"
        + HtmlText.escape(label)
        + "</button></form> ";
  }
}
