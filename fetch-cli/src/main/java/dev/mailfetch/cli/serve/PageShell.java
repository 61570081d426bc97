package dev.mailfetch.cli.serve;

/**
 * The frame of every page: head, style, heading. Styles inline, so the page is one request and the
 * Content-Security-Policy can refuse everything from elsewhere; a script only where a page asks for
 * live updates, allowed by the response's own nonce.
 */
final class PageShell {
  private PageShell() {}

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
          + "table{border-collapse:collapse}td,th{padding:.3em .6em;border-bottom:1px solid #ddd;"
          + "text-align:left;vertical-align:top}th{background:#f4f4f4}"
          + ".checking{color:#06c}.paused{color:#b00;font-weight:bold}.failing{color:#c60}"
          // [hidden] again: "form{display:inline}" would show the hidden Resume of every row
          + ".idle{color:#070}form{display:inline}[hidden]{display:none}pre{background:#f8f8f8;padding:.6em;"
          + "white-space:pre-wrap;max-width:60em}.small{color:#666;font-size:.9em}";

  /** A whole page: {@code body} is HTML already escaped; {@code script} is null or trusted code. */
  static String page(String title, String body, String script, String nonce) {
    StringBuilder sb =
        new StringBuilder(body.length() + 1024)
            .append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .append("<meta name=\"viewport\" content=\"width=device-width\">")
            .append("<title>")
            .append(HtmlText.escape(title))
            .append(" — mailfetch</title><style>")
            .append(STYLE)
            .append("</style></head><body>\n")
            .append(body);
    if (script != null) {
      sb.append("<script nonce=\"").append(nonce).append("\">").append(script).append("</script>");
    }
    return sb.append("\n</body></html>\n").toString();
  }

  /** The policy: nothing from elsewhere, scripts only with this response's nonce. */
  static String policy(String nonce) {
    return "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; connect-src 'self';"
        + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'; script-src "
        + (nonce == null ? "'none'" : "'nonce-" + nonce + "'");
  }

  /** A small page saying why a request was refused (403, 404, 413...), as text in HTML. */
  static String refusal(String title, String words) {
    return page(
        title,
        "<h1>"
            + HtmlText.escape(title)
            + "</h1><p>"
            + HtmlText.escape(words)
            + "</p>"
            + "<p><a href=\"/\">The accounts</a></p>",
        null,
        null);
  }
}
