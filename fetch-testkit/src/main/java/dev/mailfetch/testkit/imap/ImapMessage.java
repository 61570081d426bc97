package dev.mailfetch.testkit.imap;

import java.time.Instant;
import java.util.Arrays;
import java.util.Set;

/**
 * A message as a {@link FakeImapServer} stores it, read back by a test.
 *
 * @param uid its UID in the folder it was read from
 * @param content its bytes exactly as the client sent them (a copy)
 * @param flags its flags ({@code \Seen}, keywords), as the client spelled them
 * @param internalDate the internal date: APPEND's date-time, else the time it was stored
 * @param labels its Gmail labels ({@code \Inbox}, {@code \Important}, user labels); empty on a
 *     server that is not Gmail
 */
public record ImapMessage(
    long uid, byte[] content, Set<String> flags, Instant internalDate, Set<String> labels) {
  /** Copies what it is given. */
  public ImapMessage {
    content = content.clone();
    flags = Set.copyOf(flags);
    labels = Set.copyOf(labels);
  }

  /** Its bytes (a copy). */
  @Override
  public byte[] content() {
    return content.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImapMessage m
        && uid == m.uid
        && Arrays.equals(content, m.content)
        && flags.equals(m.flags)
        && internalDate.equals(m.internalDate)
        && labels.equals(m.labels);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(uid) * 31 + Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    return "ImapMessage[uid="
        + uid
        + ", "
        + content.length
        + " bytes, flags="
        + flags
        + ", internalDate="
        + internalDate
        + ", labels="
        + labels
        + "]";
  }
}
