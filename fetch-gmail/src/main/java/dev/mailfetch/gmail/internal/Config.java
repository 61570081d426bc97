package dev.mailfetch.gmail.internal;

import dev.mailfetch.api.TokenProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one Gmail destination, as {@code GmailImportSink.Builder} validated them.
 *
 * @param mailbox the Gmail address mail goes to
 * @param tokens where access tokens come from (never printed)
 * @param journalDirectory where the journal and the spool live; null for a checkup
 * @param apiBase the API's base address, ending in {@code /}
 * @param parallelism how many imports may be on their way at once
 * @param quotaUnits the per-user quota the client keeps under: this many units
 * @param quotaWindow in any window of this length
 * @param retryBudget how long one request may be retried in all
 * @param connectTimeout how long a connection may take
 * @param requestTimeout how long one request (one chunk of a resumable upload) may take
 * @param neverMarkSpam the import's {@code neverMarkSpam}
 * @param internalDateSource the import's {@code internalDateSource} value
 * @param processForCalendar the import's {@code processForCalendar}
 * @param memorySpoolBytes messages up to this size are spooled in memory, larger ones to a file
 * @param resumableAbove messages larger than this go up in a resumable upload
 * @param uploadChunkBytes the size of a resumable upload's chunks (a multiple of 256 KiB)
 * @param journalKeeps how many answered deliveries the journal remembers
 * @param maxMessageBytes the largest message offered to Gmail
 * @param searchSettleTime how long after an import Gmail's search may still not find it
 */
public record Config(
    String mailbox,
    TokenProvider tokens,
    Path journalDirectory,
    URI apiBase,
    int parallelism,
    long quotaUnits,
    Duration quotaWindow,
    Duration retryBudget,
    Duration connectTimeout,
    Duration requestTimeout,
    boolean neverMarkSpam,
    String internalDateSource,
    boolean processForCalendar,
    int memorySpoolBytes,
    long resumableAbove,
    int uploadChunkBytes,
    int journalKeeps,
    long maxMessageBytes,
    Duration searchSettleTime) {

  /** Checks the components that must be there. */
  public Config {
    Objects.requireNonNull(mailbox, "mailbox");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(apiBase, "apiBase");
    Objects.requireNonNull(quotaWindow, "quotaWindow");
    Objects.requireNonNull(retryBudget, "retryBudget");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(internalDateSource, "internalDateSource");
    Objects.requireNonNull(searchSettleTime, "searchSettleTime");
  }

  /** Never the token provider's state: a token must not reach a log through a record's text. */
  @Override
  public String toString() {
    return "Config[mailbox="
        + mailbox
        + ", apiBase="
        + apiBase
        + ", journalDirectory="
        + journalDirectory
        + ", parallelism="
        + parallelism
        + ", quota="
        + quotaUnits
        + " units per "
        + quotaWindow
        + "]";
  }
}
