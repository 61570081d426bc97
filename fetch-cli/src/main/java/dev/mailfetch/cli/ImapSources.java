package dev.mailfetch.cli;

import dev.mailfetch.imap.ImapFolders;
import dev.mailfetch.imap.ImapSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The folders of an {@link ImapSource} the command builds. */
final class ImapSources {
  private ImapSources() {}

  /**
   * Gives {@code folders} to the source. Until ImapSource reads other folders than INBOX, any other
   * choice is refused here in words rather than fetched from the wrong folder.
   */
  static void folders(ImapSource.Builder b, ImapFolders folders, CommandSpec spec) {
    boolean inbox =
        folders.choice() == ImapFolders.Choice.INBOX
            || (folders.choice() == ImapFolders.Choice.NAMED
                && folders.names().size() == 1
                && folders.names().get(0).equalsIgnoreCase("INBOX"));
    if (!inbox) {
      throw new ParameterException(
          spec.commandLine(),
          "this build of mailfetch fetches from INBOX only; --folder and --all-folders come with"
              + " the IMAP source's folder support");
    }
  }
}
