package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol trace at SLF4J debug (logger {@code dev.mailfetch.imap.trace}): each command and
 * response, escaped and cut at 200 chars, literals as their size only. LOGIN's and AUTHENTICATE's
 * arguments and every SASL response are redacted: nothing secret reaches a log. {@code [ALERT]}s
 * are logged at warn, for the user to see.
 */
final class ImapTrace {
  private static final Logger TRACE = LoggerFactory.getLogger("dev.mailfetch.imap.trace");
  private static final Logger LOG = LoggerFactory.getLogger(ImapConnection.class);
  private static final int SHOWN = 200;

  private final String account;

  ImapTrace(String account) {
    this.account = account;
  }

  void client(String tag, ImapCommand command) {
    if (!TRACE.isDebugEnabled()) {
      return;
    }
    StringBuilder sb = new StringBuilder(tag).append(' ');
    if (command.secret()) {
      sb.append(command.name()).append(" <redacted>");
    } else {
      for (Object part : command.parts()) {
        if (part instanceof String text) {
          sb.append(text);
        } else {
          sb.append("{").append(((LiteralSource) part).size()).append(" bytes}");
        }
      }
    }
    TRACE.debug("{} C: {}", account, shown(sb.toString()));
  }

  void clientSecret() {
    TRACE.debug("{} C: <redacted>", account);
  }

  void server(ImapLine line) {
    if (TRACE.isDebugEnabled()) {
      TRACE.debug("{} S: {}", account, shown(line.wire()));
    }
  }

  void alert(String server, ImapLine line) {
    LOG.warn("{} - {} says: {}", account, server, FetchException.escape(line.text()));
  }

  private static String shown(String s) {
    String cut = s.length() > SHOWN ? s.substring(0, SHOWN) + "..." : s;
    return FetchException.escape(cut);
  }
}
