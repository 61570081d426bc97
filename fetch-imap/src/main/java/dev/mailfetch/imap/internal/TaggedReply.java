package dev.mailfetch.imap.internal;

import java.util.List;
import java.util.Locale;

/**
 * The end of one command: its tagged status ({@code OK}, {@code NO}, {@code BAD}), the response
 * code and text of it, and the untagged responses that came while it was the oldest command in
 * flight.
 *
 * @param command the command's name as sent (APPEND, UID SEARCH ...), for the words of an error
 * @param line the tagged response
 * @param untagged the untagged responses collected for it, in order
 */
public record TaggedReply(String command, ImapLine line, List<ImapLine> untagged) {
  public TaggedReply {
    untagged = List.copyOf(untagged);
  }

  /** OK, NO or BAD (or what else the server put there), upper case. */
  public String status() {
    return line.name().toUpperCase(Locale.ROOT);
  }

  public boolean ok() {
    return status().equals("OK");
  }

  /** The response code of the tagged reply, or null. */
  public ResponseCode code() {
    return line.code();
  }

  /** The untagged responses named {@code name} (LIST, SEARCH, CAPABILITY ...). */
  public List<ImapLine> untagged(String name) {
    return untagged.stream().filter(l -> l.name().equals(name)).toList();
  }
}
