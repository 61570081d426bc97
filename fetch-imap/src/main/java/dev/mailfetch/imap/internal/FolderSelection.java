package dev.mailfetch.imap.internal;

import dev.mailfetch.api.FetchException;

/**
 * The folder a source session has open (RFC 9051: one at a time), how ({@code SELECT}, read-write,
 * or {@code EXAMINE}, read-only), and the {@code UIDVALIDITY} it was opened under, so that the
 * listing, the retrieval and the deletions open a folder only when it is not open already, and
 * never use a UID under a {@code UIDVALIDITY} other than the one it was listed with.
 */
final class FolderSelection {
  /** What opening a folder said: its UIDVALIDITY (or UNKNOWN) and how many messages it holds. */
  record Opened(long uidValidity, long exists) {}

  private final ImapSession session;
  private String name;
  private boolean readWrite;
  private long validity = SourceFolder.UNKNOWN;

  FolderSelection(ImapSession session) {
    this.session = session;
  }

  /** Opens {@code folder} with SELECT ({@code readWrite}) or EXAMINE, always; a NO is thrown. */
  Opened open(String folder, boolean readWrite) throws FetchException {
    name = null; // a failed SELECT leaves no folder open (RFC 9051 §6.3.2)
    ImapCommands c = session.commands();
    TaggedReply r = readWrite ? c.select(folder) : c.examine(folder);
    long uidValidity = SourceFolder.UNKNOWN;
    long exists = 0;
    for (ImapLine l : r.untagged()) {
      ResponseCode code = l.code();
      if (l.name().equals("OK") && code != null && code.is("UIDVALIDITY")) {
        uidValidity = code.number().orElse(SourceFolder.UNKNOWN);
      } else if (l.name().equals("EXISTS") && l.number() >= 0) {
        exists = l.number();
      }
    }
    this.name = folder;
    this.readWrite = readWrite;
    this.validity = uidValidity;
    return new Opened(uidValidity, exists);
  }

  /**
   * Makes {@code folder} the open one, opened read-write where {@code readWrite} asks (a folder
   * open read-only is opened again), unless it is already.
   *
   * @return its UIDVALIDITY as the server gave it when opened (UNKNOWN if it gave none)
   */
  long ensure(String folder, boolean readWrite) throws FetchException {
    if (!folder.equals(name) || (readWrite && !this.readWrite)) {
      open(folder, readWrite);
    }
    return validity;
  }

  /** The open folder's name, or null. */
  String name() {
    return name;
  }
}
