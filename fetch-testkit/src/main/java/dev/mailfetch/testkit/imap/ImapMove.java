package dev.mailfetch.testkit.imap;

/**
 * A message a client moved or copied on a {@link FakeImapServer} (MOVE, UID MOVE, COPY, UID COPY),
 * read back with {@link ImapSourceSide#moved} or {@link ImapSourceSide#copied}.
 *
 * @param from the folder it was in
 * @param uid its UID there
 * @param to the folder it went to
 * @param newUid its UID in {@code to}
 */
public record ImapMove(String from, long uid, String to, long newUid) {}
