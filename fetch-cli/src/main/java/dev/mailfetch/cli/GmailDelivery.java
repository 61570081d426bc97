package dev.mailfetch.cli;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.gmail.GmailImportSink;
import dev.mailfetch.gmail.InternalDateSource;
import java.net.URI;

/**
 * --to gmail:ADDRESS and its options as the Gmail import sink's settings (for fetch and for the
 * doctor).
 */
final class GmailDelivery {
  private GmailDelivery() {}

  /** The builder for {@code address}, without its journal (a doctor needs none). */
  static GmailImportSink.Builder builder(
      String address, TokenProvider tokens, URI api, boolean receivedDate, boolean neverSpam) {
    return GmailImportSink.builder()
        .mailbox(address)
        .tokens(tokens)
        .apiBase(api)
        .internalDateSource(
            receivedDate ? InternalDateSource.RECEIVED_TIME : InternalDateSource.DATE_HEADER)
        .neverMarkSpam(neverSpam);
  }
}
