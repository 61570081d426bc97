package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.pop3.Tolerance;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single forms {@code UIDL n} and {@code LIST n} (RFC 1939 §7, §5), pipelined in the window
 * RETR and DELE use, with the bulk form in their place for a server whose single forms answer
 * multi-line (quirk Q28). What a caller checks single messages with; the engine itself lists in
 * bulk ({@link ListingReader}). Used under the session's connection lock only.
 */
final class SingleForms {
  // The session's logger, by name: the command mutes it where its report says the same.
  private static final Logger log = LoggerFactory.getLogger(Pop3Session.class);

  private final Pop3Connection connection;
  private final ServerMemory memory;

  SingleForms(Pop3Connection connection) {
    this.connection = connection;
    this.memory = connection.memory();
  }

  /**
   * {@code UIDL n} for each number, pipelined: the unique id of each message the server knows, in
   * the order asked; a number the server refuses ({@code -ERR}: deleted, or never there) or whose
   * id is not one a state may key on (quirk Q27) is absent. Quirk Q28: an answer without the number
   * ({@code +OK abc}) is taken when the rest is one token; an answer for another number is
   * WRONG_ORDER, or dropped with Tolerance.UNORDERED_LISTING; a multi-line answer is READ_ERROR,
   * and this server gets the bulk form ({@code UIDL}, keeping the numbers asked) from then on.
   */
  Map<Integer, String> uids(List<Integer> numbers) throws FetchException {
    Map<Integer, String> out = new LinkedHashMap<>();
    singleLines(
        "UIDL",
        numbers,
        (n, value) -> {
          String uid = ListingReader.validUid(value);
          if (uid == null) {
            connection.noticed(QuirkId.Q27);
          } else {
            out.put(n, uid);
          }
        });
    return out;
  }

  /**
   * {@code LIST n} for each number, pipelined: the size the server announces for each message it
   * knows, in the order asked; refused numbers are absent. Quirk Q28 as in {@link #uids}.
   */
  Map<Integer, Long> sizes(List<Integer> numbers) throws FetchException {
    Map<Integer, Long> out = new LinkedHashMap<>();
    singleLines(
        "LIST",
        numbers,
        (n, value) -> {
          // RFC 1939 lets more follow the size
          long size = ListingReader.number(ListingReader.token(value, 0));
          if (size < 0) {
            connection.markBroken();
            throw new FetchException(
                FetchError.PROTOCOL,
                connection.server() + " answered LIST " + n + " without a valid size",
                value,
                null);
          }
          out.put(n, size);
        });
    return out;
  }

  private interface NumberedValue {
    void accept(int number, String value) throws FetchException;
  }

  /**
   * "VERB n" for each number in a window; each +OK reply is "n value" (RFC 1939 §5, LIST and UIDL).
   */
  private void singleLines(String verb, List<Integer> numbers, NumberedValue each)
      throws FetchException {
    for (int n : numbers) {
      if (n < 1) {
        throw new IllegalArgumentException("message numbers start at 1: " + n);
      }
    }
    if (memory.noSingleForms) {
      bulk(verb, numbers, each);
      return;
    }
    int window = connection.window();
    ArrayDeque<Integer> queue = new ArrayDeque<>(numbers);
    ArrayDeque<Integer> sent = new ArrayDeque<>();
    boolean answered = false;
    while (!queue.isEmpty() || !sent.isEmpty()) {
      while (sent.size() < window && !queue.isEmpty()) {
        int n = queue.poll();
        connection.send(verb.equals("UIDL") ? Pop3Commands.uidl(n) : Pop3Commands.list(n));
        sent.add(n);
      }
      int n = sent.poll();
      String doing = verb + " " + n;
      Reply r;
      try {
        r = window > 1 && answered ? connection.queuedReply(doing) : connection.reply(doing);
        answered = true;
      } catch (FetchException e) {
        if (e.error() == FetchError.CONNECTION_TIMED_OUT && window > 1) {
          connection.markBroken();
          memory.pipeliningStalled(connection);
          throw new PipelinedUnanswered(e);
        }
        throw e;
      }
      if (!r.ok()) {
        log.debug(
            "{} - {} refused {}: {}",
            connection.settings().account(),
            connection.server(),
            doing,
            r);
        continue;
      }
      String text = r.text().strip();
      if (text.isEmpty()) {
        connection
            .markBroken(); // the listing lines that may follow would be taken for the next replies
        memory.noSingleForms = true;
        connection.noticed(QuirkId.Q28);
        throw new FetchException(
            FetchError.READ_ERROR,
            connection.server()
                + " answered "
                + doing
                + " without a value, as"
                + " if with a multi-line listing (quirk Q28); the bulk form is used with this server from now on",
            r.line(),
            null);
      }
      int sp = ListingReader.indexOfSpace(text, 0);
      if (sp < 0) {
        connection.noticed(
            QuirkId.Q28); // the value without its number: one token, so nothing is ambiguous
        each.accept(n, text);
        continue;
      }
      long m = ListingReader.number(text.substring(0, sp));
      if (m != n) {
        connection.noticed(QuirkId.Q28);
        if (connection.settings().tolerances().contains(Tolerance.UNORDERED_LISTING)) {
          log.warn(
              "{} - {} answered {} for message {}; dropped (quirk Q28)",
              connection.settings().account(),
              connection.server(),
              doing,
              m);
          continue;
        }
        throw ListingReader.wrongOrder(
            connection, "answered " + doing + " for another message (quirk Q28)", r.line());
      }
      each.accept(n, text.substring(sp).strip());
    }
  }

  /**
   * The bulk listing ("UIDL", "LIST"), keeping the numbers asked, for a server whose single forms
   * fail.
   */
  private void bulk(String verb, List<Integer> numbers, NumberedValue each) throws FetchException {
    Set<Integer> wanted = new HashSet<>(numbers);
    Map<Integer, String> found = new HashMap<>();
    connection.send(verb.equals("UIDL") ? Pop3Commands.UIDL : Pop3Commands.LIST);
    Reply r = connection.reply("listing (" + verb + ")");
    if (!r.ok()) {
      throw r.exception(
          FetchError.SERVER_TEMPORARY,
          connection.server() + " could not list the messages (" + verb + ")");
    }
    connection.readListing(
        "listing (" + verb + ")",
        verb.equals("UIDL"),
        line -> {
          String l = line.strip();
          int sp = ListingReader.indexOfSpace(l, 0);
          long n = sp < 0 ? -1 : ListingReader.number(l.substring(0, sp));
          if (n > 0 && n <= Integer.MAX_VALUE && wanted.contains((int) n)) {
            found.putIfAbsent((int) n, l.substring(sp).strip());
          }
        });
    for (int n : numbers) {
      String value = found.get(n);
      if (value != null) {
        each.accept(n, value);
      }
    }
  }
}
