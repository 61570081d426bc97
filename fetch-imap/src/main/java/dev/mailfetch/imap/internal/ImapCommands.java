package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The commands of the sink and the source, each built once here: mailbox names in modified UTF-7
 * or, with UTF8=ACCEPT, UTF-8; APPEND's date and flags; UID SEARCH's strings with their CHARSET.
 */
public final class ImapCommands {
  private static final DateTimeFormatter INTERNAL_DATE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ROOT);

  private final ImapSession session;

  ImapCommands(ImapSession session) {
    this.session = session;
  }

  /** One message of an APPEND: its flags (atoms, {@code \Seen}), date, and bytes. */
  public record Message(List<String> flags, ZonedDateTime date, LiteralSource bytes) {
    public Message {
      flags = List.copyOf(flags);
    }
  }

  /** {@code builder} with the mailbox {@code name} added as the server reads it. */
  ImapCommand.Builder mailbox(ImapCommand.Builder builder, String name) {
    return session.utf8() ? builder.string(name, true) : builder.string(ModifiedUtf7.encode(name));
  }

  /** CREATE {@code name}; the reply is the caller's (ALREADYEXISTS is often fine). */
  public TaggedReply create(String name) throws FetchException {
    return session.run(mailbox(ImapCommand.of("CREATE"), name).build());
  }

  /** SELECT {@code name}, read-write; a NO is thrown. */
  public TaggedReply select(String name) throws FetchException {
    return session.expectOk(mailbox(ImapCommand.of("SELECT"), name).build());
  }

  /** EXAMINE {@code name}, read-only; a NO is thrown. */
  public TaggedReply examine(String name) throws FetchException {
    return session.expectOk(mailbox(ImapCommand.of("EXAMINE"), name).build());
  }

  /** The LIST of {@code pattern} under {@code reference}; the untagged LIST responses. */
  public TaggedReply list(String reference, String pattern) throws FetchException {
    return session.expectOk(mailbox(mailbox(ImapCommand.of("LIST"), reference), pattern).build());
  }

  /**
   * The LIST of {@code pattern} under {@code reference} with each folder's special use ({@code
   * RETURN (SPECIAL-USE)}, RFC 6154): only where the server offers {@code SPECIAL-USE}.
   */
  public TaggedReply listSpecialUse(String reference, String pattern) throws FetchException {
    return session.expectOk(
        mailbox(mailbox(ImapCommand.of("LIST"), reference), pattern)
            .atom("RETURN")
            .atom("(SPECIAL-USE)")
            .build());
  }

  /**
   * Sends APPEND of {@code message} to {@code mailbox} without waiting: its bytes stream from their
   * source ({@code {n+}} with LITERAL+, else after the server's {@code +}).
   *
   * @return the tag, whose reply {@link ImapSession#await} reads ({@link #appendUid} on it)
   */
  public String append(String mailbox, Message message) throws FetchException {
    return session.send(appendCommand(mailbox, List.of(message)));
  }

  /**
   * Sends one APPEND of all {@code messages} (MULTIAPPEND, RFC 3502), where the server offers it:
   * all stored or none.
   *
   * @throws IllegalStateException where the server does not offer MULTIAPPEND
   */
  public String multiAppend(String mailbox, List<Message> messages) throws FetchException {
    if (!session.capabilities().has("MULTIAPPEND")) {
      throw new IllegalStateException(session.server() + " does not offer MULTIAPPEND");
    }
    return session.send(appendCommand(mailbox, messages));
  }

  private ImapCommand appendCommand(String mailbox, List<Message> messages) {
    ImapCommand.Builder b = mailbox(ImapCommand.of("APPEND"), mailbox);
    for (Message m : messages) {
      if (!m.flags().isEmpty()) {
        b.atom("(" + String.join(" ", m.flags()) + ")");
      }
      if (m.date() != null) {
        b.string(INTERNAL_DATE.format(m.date()));
      }
      b.literal(m.bytes());
    }
    return b.build();
  }

  /** The APPENDUID of an APPEND's OK (UIDPLUS), where the server gave one. */
  public static Optional<ResponseCode.AppendUid> appendUid(TaggedReply reply) {
    ResponseCode code = reply.code();
    return code == null ? Optional.empty() : code.appendUid();
  }

  /**
   * UID SEARCH HEADER {@code name} {@code value} in the selected mailbox: the UIDs of the messages
   * whose header holds it. A value beyond ASCII goes as UTF-8 (with CHARSET UTF-8 unless
   * UTF8=ACCEPT is enabled).
   */
  public List<Long> uidSearchHeader(String name, String value) throws FetchException {
    boolean ascii =
        value.chars().allMatch(ch -> ch < 0x80) && name.chars().allMatch(ch -> ch < 0x80);
    ImapCommand.Builder b = ImapCommand.of("UID SEARCH");
    if (!ascii && !session.utf8()) {
      b.atom("CHARSET UTF-8");
    }
    b.atom("HEADER").string(name, session.utf8()).string(value, session.utf8());
    return uids(session.expectOk(b.build()));
  }

  /** UID SEARCH with {@code criteria} as given (ASCII, already quoted). */
  public List<Long> uidSearch(String criteria) throws FetchException {
    return uids(session.expectOk(ImapCommand.of("UID SEARCH").atom(criteria).build()));
  }

  private static List<Long> uids(TaggedReply r) {
    List<Long> out = new ArrayList<>();
    for (ImapLine l : r.untagged("SEARCH")) {
      for (Object t : l.tokens()) {
        if (t instanceof String s
            && !s.isEmpty()
            && s.length() < 19
            && s.chars().allMatch(Character::isDigit)) {
          out.add(Long.parseLong(s));
        }
      }
    }
    return out;
  }

  /** UID STORE {@code uids} {@code item} ({@code +FLAGS.SILENT}) with the flags as atoms. */
  public TaggedReply uidStoreFlags(String uids, String item, List<String> flags)
      throws FetchException {
    return session.expectOk(
        ImapCommand.of("UID STORE")
            .atom(uids)
            .atom(item)
            .atom("(" + String.join(" ", flags) + ")")
            .build());
  }

  /**
   * UID STORE {@code uids} +X-GM-LABELS with {@code labels} (Gmail's IMAP, X-GM-EXT-1), each a
   * string in modified UTF-7.
   */
  public TaggedReply uidStoreGmailLabels(String uids, List<String> labels) throws FetchException {
    StringBuilder list = new StringBuilder("(");
    for (String label : labels) {
      if (list.length() > 1) {
        list.append(' ');
      }
      list.append('"')
          .append(ModifiedUtf7.encode(label).replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
    }
    list.append(')');
    return session.expectOk(
        ImapCommand.of("UID STORE").atom(uids).atom("+X-GM-LABELS").atom(list.toString()).build());
  }

  /** ENABLE {@code extensions}; the ones the server enabled. */
  public List<String> enable(String... extensions) throws FetchException {
    TaggedReply r =
        session.expectOk(ImapCommand.of("ENABLE").atom(String.join(" ", extensions)).build());
    List<String> out = new ArrayList<>();
    for (ImapLine l : r.untagged("ENABLED")) {
      for (Object t : l.tokens()) {
        if (t instanceof String s) {
          out.add(s.toUpperCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /**
   * Sends STATUS of {@code name} for {@code items} ({@code MESSAGES UIDNEXT UIDVALIDITY}) without
   * waiting; the tag's reply holds the untagged STATUS ({@link #statusItems}).
   */
  public String sendStatus(String name, String items) throws FetchException {
    return session.send(mailbox(ImapCommand.of("STATUS"), name).atom("(" + items + ")").build());
  }

  /**
   * The items of the untagged STATUS in {@code reply}, upper case names to numbers; empty where it
   * sent none.
   */
  public static Map<String, Long> statusItems(TaggedReply reply) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (ImapLine l : reply.untagged("STATUS")) {
      List<Object> t = l.tokens();
      if (!t.isEmpty() && t.get(t.size() - 1) instanceof List<?> items) {
        for (int i = 0; i + 1 < items.size(); i += 2) {
          if (items.get(i) instanceof String k && items.get(i + 1) instanceof String v) {
            if (!v.isEmpty() && v.length() < 19 && v.chars().allMatch(Character::isDigit)) {
              out.put(k.toUpperCase(Locale.ROOT), Long.parseLong(v));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Sends {@code UID FETCH uids (items)} without waiting: message literals go to {@code body}
   * (null: kept inline), untagged responses to {@code listener} (null: kept with the reply).
   */
  public String sendUidFetch(
      String uids, String items, LiteralConsumer body, UntaggedListener listener)
      throws FetchException {
    return session.send(
        ImapCommand.of("UID FETCH")
            .atom(uids)
            .atom("(" + items + ")")
            .body(body)
            .untagged(listener)
            .build());
  }

  /** {@code UID MOVE uids mailbox} (RFC 6851); the reply is the caller's. */
  public TaggedReply uidMove(String uids, String mailbox) throws FetchException {
    return session.run(mailbox(ImapCommand.of("UID MOVE").atom(uids), mailbox).build());
  }

  /** {@code UID COPY uids mailbox}; the reply is the caller's. */
  public TaggedReply uidCopy(String uids, String mailbox) throws FetchException {
    return session.run(mailbox(ImapCommand.of("UID COPY").atom(uids), mailbox).build());
  }

  /**
   * {@code UID EXPUNGE uids} (UIDPLUS, RFC 4315): only these messages, never the others marked
   * {@code \Deleted}; the reply is the caller's.
   */
  public TaggedReply uidExpunge(String uids) throws FetchException {
    return session.run(ImapCommand.of("UID EXPUNGE").atom(uids).build());
  }

  /** NOOP: keeps the session and brings untagged news (EXISTS, EXPUNGE). */
  public TaggedReply noop() throws FetchException {
    return session.expectOk(ImapCommand.of("NOOP").build());
  }
}
