package dev.mailfetch.testkit.imap;

import dev.mailfetch.testkit.imap.ImapCommandReader.Kind;
import dev.mailfetch.testkit.imap.ImapCommandReader.Token;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * FETCH and UID FETCH (RFC 9051 §6.4.5) on a selected folder: UID, FLAGS, INTERNALDATE,
 * RFC822.SIZE, BODY[] and BODY.PEEK[] (BODY[] sets {@code \Seen}), BODY[HEADER], BODY[HEADER.FIELDS
 * (…)], RFC822, RFC822.HEADER, X-GM-LABELS, X-GM-MSGID, X-GM-THRID; and the {@link ImapQuirk}s that
 * bite in a FETCH.
 */
final class ImapFetch {
  /** What Exchange serves in place of a message it cannot convert (I20). */
  static final String RETRIEVAL_FAILED =
      "Retrieval using the IMAP4 protocol failed for the following message: ";

  /** What Courier-IMAP serves in place of a message whose file was removed meanwhile (I26). */
  static final String UNAVAILABLE =
      "From: System Administrator <root@localhost>\r\n"
          + "Subject: message unavailable\r\n"
          + "\r\n"
          + "This message is no longer available on the server.\r\n";

  private final ImapAccount account;
  private final String folder;
  private final boolean readOnly;
  private final ImapOutput out;
  private final ImapQuirkPlay quirks;

  ImapFetch(
      ImapAccount account, String folder, boolean readOnly, ImapOutput out, ImapQuirkPlay quirks) {
    this.account = account;
    this.folder = folder;
    this.readOnly = readOnly;
    this.out = out;
    this.quirks = quirks;
  }

  /** Answers one FETCH; returns how many EXPUNGE responses it sent. */
  int run(String tag, boolean uid, List<Token> a) throws IOException {
    if (a.size() < 2) {
      throw new IllegalArgumentException("FETCH needs a set and items");
    }
    List<String> items = new ArrayList<>();
    for (Token t : a.subList(1, a.size())) {
      if (t.kind() == Kind.ATOM) {
        items.add(t.text().toUpperCase(Locale.ROOT));
      }
    }
    if (items.contains("FAST")) {
      items.addAll(List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE"));
    }
    if (uid && !items.contains("UID") && !quirks.has(ImapQuirk.I09_FETCH_WITHOUT_UID)) {
      items.add(0, "UID");
    }
    boolean bodies = items.stream().anyMatch(ImapFetch::isBody);
    boolean firstBodies = bodies && quirks.firstBodyFetch();
    if (firstBodies && quirks.inFirstSession(ImapQuirk.I06_EXCHANGE_THROTTLED)) {
      out.line(tag + " NO Request is throttled. Suggested Backoff Time: 500 milliseconds");
      return 0;
    }
    if (firstBodies && quirks.inFirstSession(ImapQuirk.I07_GMAIL_BANDWIDTH_EXCEEDED)) {
      out.line(tag + " NO [OVERQUOTA] Account exceeded command or bandwidth limits. (Failure)");
      return 0;
    }
    boolean firstOfFirst = firstBodies && quirks.firstSession();
    List<ImapAccount.Stored> shown = account.in(folder);
    long max = shown.isEmpty() ? 0 : uid ? shown.get(shown.size() - 1).uid : shown.size();
    List<ImapAccount.Stored> chosen = new ArrayList<>();
    for (int i = 0; i < shown.size(); i++) {
      if (ImapSearch.inSet(a.get(0).text(), uid ? shown.get(i).uid : i + 1, max)) {
        chosen.add(shown.get(i));
      }
    }
    if (quirks.has(ImapQuirk.I04_UIDS_OUT_OF_ORDER)) {
      Collections.reverse(chosen);
    }
    int expunges = 0;
    boolean vanishPending =
        firstOfFirst
            && (quirks.has(ImapQuirk.I03_FETCH_EXPUNGED_NO)
                || quirks.has(ImapQuirk.I03_FETCH_EXPUNGED_NIL)
                || quirks.has(ImapQuirk.I03_FETCH_EXPUNGED_EMPTY)
                || quirks.has(ImapQuirk.I26_EXPUNGED_SERVED_AS_NOTICE));
    boolean expungeIssued = false;
    boolean sentOne = false;
    for (ImapAccount.Stored m : chosen) {
      int seq = account.in(folder).indexOf(m) + 1;
      if (seq == 0) {
        continue; // expunged meanwhile (I01): a UID FETCH leaves it out
      }
      if (vanishPending) {
        vanishPending = false;
        account.vanish(folder, m);
        if (quirks.has(ImapQuirk.I03_FETCH_EXPUNGED_NIL)) {
          out.line("* " + seq + " FETCH (UID " + m.uid + " BODY[] NIL)");
          out.line("* " + seq + " EXPUNGE");
          expunges++;
        }
        if (quirks.has(ImapQuirk.I26_EXPUNGED_SERVED_AS_NOTICE)) {
          out.raw(response(seq, m, items, UNAVAILABLE.getBytes(StandardCharsets.US_ASCII)));
        }
        expungeIssued = quirks.has(ImapQuirk.I03_FETCH_EXPUNGED_NO);
        continue;
      }
      out.raw(response(seq, m, items));
      if (!sentOne) {
        sentOne = true;
        expunges += afterFirstResponse(m, firstOfFirst);
      }
    }
    if (expungeIssued) {
      out.line(tag + " NO [EXPUNGEISSUED] Some of the requested messages no longer exist");
    } else {
      out.line(tag + " OK FETCH completed");
    }
    return expunges;
  }

  /** I01, I25 and I17 after the first FETCH response of a command. */
  private int afterFirstResponse(ImapAccount.Stored m, boolean firstOfFirst) throws IOException {
    int expunges = 0;
    if (firstOfFirst && quirks.has(ImapQuirk.I01_UNSOLICITED_EXPUNGE_DURING_FETCH)) {
      List<ImapAccount.Stored> now = account.in(folder);
      int at = now.indexOf(m);
      if (at >= 0 && at + 1 < now.size()) {
        out.line("* " + account.vanish(folder, now.get(at + 1)) + " EXPUNGE");
        expunges++;
      }
    }
    if (quirks.has(ImapQuirk.I25_UNSOLICITED_FLAGS_DURING_FETCH)) {
      List<ImapAccount.Stored> now = account.in(folder);
      ImapAccount.Stored last = now.get(now.size() - 1);
      synchronized (account) {
        last.flags.add("\\Flagged");
      }
      out.line("* " + now.size() + " FETCH (FLAGS " + flags(last) + ")");
    }
    if (quirks.has(ImapQuirk.I17_UNTAGGED_ALERT)) {
      out.line("* OK [ALERT] Your account is approaching its storage limit");
    }
    return expunges;
  }

  static boolean isBody(String item) {
    return item.equals("BODY[]") || item.equals("BODY.PEEK[]") || item.equals("RFC822");
  }

  private byte[] response(int seq, ImapAccount.Stored m, List<String> items) {
    return response(seq, m, items, content(m));
  }

  private byte[] response(int seq, ImapAccount.Stored m, List<String> items, byte[] content) {
    List<Object> parts = new ArrayList<>(); // String or byte[] (a literal, after its name)
    boolean setSeen = false;
    for (String item : items) {
      switch (item) {
        case "UID" -> parts.add("UID " + m.uid);
        case "FLAGS" -> parts.add("FLAGS " + flags(m));
        case "INTERNALDATE" ->
            parts.add(
                "INTERNALDATE \""
                    + ImapAppend.DATE_TIME.format(m.internalDate.atZone(ZoneOffset.UTC))
                    + "\"");
        case "RFC822.SIZE" ->
            parts.add(
                "RFC822.SIZE "
                    + (content.length
                        + (quirks.has(ImapQuirk.I11_SIZE_LARGER_THAN_BODY) ? 29 : 0)));
        case "X-GM-LABELS" -> parts.add("X-GM-LABELS " + labels(m));
        case "X-GM-MSGID" -> parts.add("X-GM-MSGID " + (1_500_000_000_000_000_000L + m.uid));
        case "X-GM-THRID" -> parts.add("X-GM-THRID " + (1_500_000_000_000_000_000L + m.uid));
        case "FAST" -> {}
        default -> {
          String name = sectionName(item);
          parts.add(name);
          parts.add(section(item, content));
          boolean peek = item.startsWith("BODY.PEEK");
          boolean seenAnyway = isBody(item) && quirks.has(ImapQuirk.I19_PEEK_SETS_SEEN);
          setSeen |= (!peek && !readOnly) || seenAnyway;
        }
      }
      if (item.startsWith("X-GM-") && !account.gmail) {
        throw new IllegalArgumentException(item + " is Gmail's (X-GM-EXT-1), not offered here");
      }
    }
    if (setSeen) {
      synchronized (account) {
        if (m.flags.stream().noneMatch(f -> f.equalsIgnoreCase("\\Seen"))) {
          m.flags.add("\\Seen");
          if (!items.contains("FLAGS")) {
            parts.add("FLAGS " + flags(m));
          }
        }
      }
    }
    if (quirks.has(ImapQuirk.I12_FETCH_ITEMS_REORDERED)) {
      parts = reversed(parts);
    }
    return encode(seq, parts);
  }

  private byte[] encode(int seq, List<Object> parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("* " + seq + " FETCH (").getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < parts.size(); i++) {
      Object p = parts.get(i);
      if (p instanceof byte[] literal) {
        int announced = literal.length;
        byte[] sent = literal;
        boolean lie = quirks.lieOnce();
        if (lie && quirks.has(ImapQuirk.I02_LITERAL_SHORTER_THAN_ANNOUNCED)) {
          announced += 2;
        } else if (lie) {
          sent = new byte[literal.length + 2];
          System.arraycopy(literal, 0, sent, 0, literal.length);
          sent[literal.length] = '\r';
          sent[literal.length + 1] = '\n';
        }
        b.writeBytes((" {" + announced + "}\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(sent);
      } else {
        if (i > 0) {
          b.write(' ');
        }
        b.writeBytes(((String) p).getBytes(StandardCharsets.UTF_8));
      }
    }
    b.writeBytes(")\r\n".getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  /** Reverses the items, keeping each literal right after its name. */
  private static List<Object> reversed(List<Object> parts) {
    List<List<Object>> groups = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof byte[]) {
        groups.get(groups.size() - 1).add(p);
      } else {
        groups.add(new ArrayList<>(List.of(p)));
      }
    }
    Collections.reverse(groups);
    List<Object> out = new ArrayList<>();
    groups.forEach(out::addAll);
    return out;
  }

  /** The message as this server serves it: I20 replaces the folder's lowest UID with a notice. */
  private byte[] content(ImapAccount.Stored m) {
    if (quirks.has(ImapQuirk.I20_RETRIEVAL_FAILED_NOTICE)) {
      List<ImapAccount.Stored> now = account.in(folder);
      if (!now.isEmpty() && now.get(0) == m) {
        return (RETRIEVAL_FAILED + m.uid + "\r\n").getBytes(StandardCharsets.US_ASCII);
      }
    }
    return m.content;
  }

  /** The name a section's data goes under in the response ({@code BODY.PEEK[X]} is BODY[X]). */
  private static String sectionName(String item) {
    if (item.equals("RFC822") || item.equals("RFC822.HEADER")) {
      return item;
    }
    if (item.startsWith("BODY.PEEK[")) {
      return "BODY[" + item.substring("BODY.PEEK[".length());
    }
    if (item.startsWith("BODY[")) {
      return item;
    }
    throw new IllegalArgumentException("Unknown FETCH item " + item);
  }

  private static byte[] section(String item, byte[] content) {
    String name = sectionName(item);
    if (name.equals("BODY[]") || name.equals("RFC822")) {
      return content;
    }
    if (name.equals("BODY[HEADER]") || name.equals("RFC822.HEADER")) {
      return ImapHeaders.header(content);
    }
    if (name.startsWith("BODY[HEADER.FIELDS (") && name.endsWith(")]")) {
      String fields = name.substring("BODY[HEADER.FIELDS (".length(), name.length() - 2);
      return ImapHeaders.fields(content, List.of(fields.split(" ")));
    }
    throw new IllegalArgumentException("Unknown FETCH item " + item);
  }

  String flags(ImapAccount.Stored m) {
    synchronized (account) {
      return "(" + String.join(" ", m.flags) + ")";
    }
  }

  /** Labels as Gmail sends them: system labels as atoms ({@code \Inbox}), the others quoted. */
  String labels(ImapAccount.Stored m) {
    List<String> copy;
    synchronized (account) {
      copy = new ArrayList<>(m.labels);
    }
    List<String> out = new ArrayList<>();
    for (String l : copy) {
      out.add(l.startsWith("\\") ? l : ImapConversation.quoted(l));
    }
    return "(" + String.join(" ", out) + ")";
  }
}
