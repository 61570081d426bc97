package dev.mailfetch.cli;

import dev.mailfetch.api.MessageSink;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/** Opens the Gmail import sink for --to gmail:ADDRESS. */
final class GmailDelivery {
  private GmailDelivery() {}

  static MessageSink open(String address, Path tokenFile, URI api, boolean receivedDate, boolean neverSpam,
      Path journal) throws IOException {
    throw new IOException("not wired yet");
  }
}
