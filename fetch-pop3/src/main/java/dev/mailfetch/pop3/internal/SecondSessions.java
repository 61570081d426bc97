package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Symptom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the doctor learns from sessions after the first, each opened and logged in as a fetch would:
 * whether unique ids and retrieved mail stay (deep), and how a message with a UTF-8 header is
 * served to a program without UTF-8 mode. Read-only: TOP, UIDL and QUIT.
 */
final class SecondSessions {
  private final Supplier<Pop3Connection> fresh;
  private final Security security;

  /**
   * @param fresh a new, unconnected session with the examination's settings
   * @param security how it is secured
   */
  SecondSessions(Supplier<Pop3Connection> fresh, Security security) {
    this.fresh = fresh;
    this.security = security;
  }

  /** Another session, logged in; UTF-8 mode on as a fetch has it, or off. */
  private Pop3Connection open(boolean utf8) throws FetchException {
    Pop3Connection again = fresh.get();
    try {
      again.connectTcp();
      if (security == Security.IMPLICIT_TLS) {
        again.handshake();
      }
      Greeting.greet(again);
      Greeting.capa(again);
      if (security == Security.STARTTLS) {
        Greeting.startTls(again);
      }
      if (utf8) {
        Utf8Mode.enable(again);
      }
      new Login(again).login();
      return again;
    } catch (FetchException e) {
      again.close();
      throw e;
    }
  }

  /**
   * Message {@code n}, whose header holds UTF-8, asked for by TOP in a session without UTF-8 mode,
   * as a mail program without RFC 6856 asks: a server that then sends a notice in its place (quirk
   * Q52) is noticed, though mailfetch, which turns the mode on, is not affected.
   */
  void withoutUtf8(StepDraft d, int n) {
    Pop3Connection plain = null;
    try {
      plain = open(false);
      if (UnicodeCheck.noticeFor(plain, n)) {
        d.add(
            Symptom.UNICODE_MESSAGES_REPLACED_FOR_OTHERS,
            "with UTF-8 mode off, TOP "
                + n
                + " 0 answered with the"
                + " server's notice \"Cannot display Unicode content\"; in UTF-8 mode, as mailfetch asks, it sends"
                + " message "
                + n
                + " as it is");
      }
      plain.send(Pop3Commands.QUIT);
      plain.reply("waiting for QUIT");
    } catch (FetchException e) {
      d.note("a session without UTF-8 mode could not be examined: " + e.detail());
    } finally {
      if (plain != null) {
        plain.close();
      }
    }
  }

  /**
   * A second session's unique ids against the first's ({@code firstUids}, listed for {@code
   * firstNumbers}): whether they stay (quirk Q26), and whether the {@code samples} the first
   * retrieved are still listed (quirk Q31).
   */
  void uidsAndRetrievedMail(
      StepDraft d, List<String> firstUids, List<Integer> firstNumbers, List<Integer> samples) {
    Pop3Connection again = null;
    try {
      again = open(true);
      again.send(Pop3Commands.UIDL);
      if (!again.reply("listing unique ids again").ok()) {
        return;
      }
      List<String> uids = new ArrayList<>();
      again.readListing(
          "listing unique ids again",
          true,
          line -> {
            String[] f = (line.startsWith("+OK ") ? line.substring(4) : line).trim().split(" +", 2);
            uids.add(f.length > 1 ? f[1] : "");
          });
      Set<String> now = new HashSet<>(uids);
      int kept = 0;
      for (String uid : firstUids) {
        if (now.contains(uid)) {
          kept++;
        }
      }
      List<String> gone = new ArrayList<>();
      for (int n : samples) {
        int i = firstNumbers.indexOf(n);
        if (i >= 0 && !now.contains(firstUids.get(i))) {
          gone.add(Integer.toString(n));
        }
      }
      if (!firstUids.isEmpty() && kept == 0 && uids.size() >= firstUids.size()) {
        d.add(
            Symptom.UIDS_UNSTABLE,
            "none of the "
                + firstUids.size()
                + " ids of the first session came back in"
                + " the second, which lists "
                + uids.size());
      } else if (!gone.isEmpty()) {
        d.add(
            Symptom.RETR_REMOVES_MAIL,
            "message(s) "
                + String.join(", ", gone)
                + " were retrieved (RETR) in the"
                + " first session and are not listed in the second; no DELE was sent");
      }
      again.send(Pop3Commands.QUIT);
      again.reply("waiting for QUIT");
    } catch (FetchException e) {
      d.note("a second session could not be examined: " + e.detail());
    } finally {
      if (again != null) {
        again.close();
      }
    }
  }
}
