package dev.mailfetch.testkit.gmail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A message a {@link FakeGmailServer} stored through {@code users.messages.import}: the exact bytes
 * it received, the labels it carries and the date Gmail sorts it by.
 *
 * <p>Bodies up to {@link FakeGmailServer#SPILL_THRESHOLD} bytes are kept in memory; larger ones in
 * a temporary file the server deletes on {@code close()}, so a 100 MB import does not need 100 MB
 * of heap in the test JVM. {@link #size()} and {@link #sha256()} are always at hand; {@link
 * #openStream()} reads the bytes from wherever they are.
 */
public final class StoredMessage {
  private final String id;
  private final String threadId;
  private final String account;
  private final List<String> labelIds;
  private final Instant internalDate;
  private final String messageId;
  private final long size;
  private final String sha256;
  private final byte[] inMemory;
  private final Path file;
  private final String uploadType;
  private final String internalDateSource;
  private final boolean neverMarkSpam;
  private final boolean processForCalendar;
  private final boolean deleted;

  StoredMessage(
      String id,
      String threadId,
      String account,
      List<String> labelIds,
      Instant internalDate,
      String messageId,
      ReceivedBody body,
      String uploadType,
      String internalDateSource,
      boolean neverMarkSpam,
      boolean processForCalendar,
      boolean deleted) {
    this.id = id;
    this.threadId = threadId;
    this.account = account;
    this.labelIds = List.copyOf(labelIds);
    this.internalDate = internalDate;
    this.messageId = messageId;
    this.size = body.size();
    this.sha256 = body.sha256();
    this.inMemory = body.inMemory();
    this.file = body.file();
    this.uploadType = uploadType;
    this.internalDateSource = internalDateSource;
    this.neverMarkSpam = neverMarkSpam;
    this.processForCalendar = processForCalendar;
    this.deleted = deleted;
  }

  /** The same message with other labels ({@code messages.modify}). */
  private StoredMessage(StoredMessage m, List<String> labelIds) {
    this.id = m.id;
    this.threadId = m.threadId;
    this.account = m.account;
    this.labelIds = List.copyOf(labelIds);
    this.internalDate = m.internalDate;
    this.messageId = m.messageId;
    this.size = m.size;
    this.sha256 = m.sha256;
    this.inMemory = m.inMemory;
    this.file = m.file;
    this.uploadType = m.uploadType;
    this.internalDateSource = m.internalDateSource;
    this.neverMarkSpam = m.neverMarkSpam;
    this.processForCalendar = m.processForCalendar;
    this.deleted = m.deleted;
  }

  StoredMessage withLabels(List<String> labels) {
    return new StoredMessage(this, labels);
  }

  /** Gmail's id of the message (16 hex digits). */
  public String id() {
    return id;
  }

  /** The thread Gmail put the message in. */
  public String threadId() {
    return threadId;
  }

  /** The mailbox, lower case. */
  public String account() {
    return account;
  }

  /** The label ids the message carries, in the order Gmail answered them. */
  public List<String> labelIds() {
    return labelIds;
  }

  /** Gmail's internal date: what it sorts by (millisecond precision). */
  public Instant internalDate() {
    return internalDate;
  }

  /**
   * The message's {@code Message-ID} header value as written (with its angle brackets), or null.
   */
  public String messageId() {
    return messageId;
  }

  /** How many bytes Gmail stored. */
  public long size() {
    return size;
  }

  /** The SHA-256 of the stored bytes, lower-case hex. */
  public String sha256() {
    return sha256;
  }

  /** The stored bytes; for a large message prefer {@link #openStream()} or {@link #sha256()}. */
  public byte[] bytes() {
    if (inMemory != null) {
      return inMemory.clone();
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stored bytes as ISO-8859-1 text (one char per byte), for assertions on small messages. */
  public String text() {
    return new String(bytes(), StandardCharsets.ISO_8859_1);
  }

  /** A stream of the stored bytes; the caller closes it. */
  public InputStream openStream() throws IOException {
    return inMemory != null ? new ByteArrayInputStream(inMemory) : Files.newInputStream(file);
  }

  /**
   * How the message arrived: {@code multipart}, {@code resumable}, {@code media} or {@code raw}.
   */
  public String uploadType() {
    return uploadType;
  }

  /** The import's {@code internalDateSource} as sent, or null where the request left it out. */
  public String internalDateSource() {
    return internalDateSource;
  }

  /** The import's {@code neverMarkSpam}. */
  public boolean neverMarkSpam() {
    return neverMarkSpam;
  }

  /** The import's {@code processForCalendar}. */
  public boolean processForCalendar() {
    return processForCalendar;
  }

  /** The import's {@code deleted}: stored for Vault only, in no label, not listed. */
  public boolean deleted() {
    return deleted;
  }

  /** True where the bytes live in a temporary file, not in the heap. */
  boolean inFile() {
    return inMemory == null;
  }

  @Override
  public String toString() {
    return "StoredMessage["
        + id
        + " "
        + labelIds
        + " "
        + size
        + " bytes"
        + (messageId == null ? "" : " " + messageId)
        + "]";
  }
}
