package dev.mailfetch.sink;

import static dev.mailfetch.sink.SinkFiles.deleteQuietly;
import static dev.mailfetch.sink.SinkFiles.failure;
import static dev.mailfetch.sink.SinkFiles.fsyncDirectory;

import dev.mailfetch.api.Delivery;
import dev.mailfetch.api.DeliveryKey;
import dev.mailfetch.api.Envelope;
import dev.mailfetch.api.LabelDecision;
import dev.mailfetch.api.LineEnding;
import dev.mailfetch.api.MessageSink;
import dev.mailfetch.api.internal.Require;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Maildir (the format of qmail, Dovecot, Courier, mutt): one file per message, written so that a
 * crash at any moment leaves either the whole message or nothing, and a re-delivery of the same
 * message does nothing.
 *
 * <p><b>How a message arrives.</b> Its bytes go to a new file in {@code tmp/}. At {@link #sync()}
 * (the engine's barrier after each batch) the files completed since the last sync are flushed to
 * the disk ({@code fdatasync}), several at once from a few threads ({@link Builder#flushThreads},
 * so the file system can commit them together), and only then linked into {@code new/} of each
 * folder they belong to under a name made of the {@link DeliveryKey} and size ({@code
 * <key>,S=<size>}); then the directories that changed are flushed, so the names survive a power
 * cut. A reader never sees a partial file; a message completed but not yet synced is held ({@link
 * #contains}) but not yet visible in {@code new/}, and gone if the process ends before the sync. A
 * key the Maildir already holds, in {@code new/} or {@code cur/} of any folder (a mail reader moves
 * and renames files there, keeping the part before ':'), is not stored again: the name comes from
 * the key, so a message delivered again after a crash finds itself there.
 *
 * <p><b>Labels</b> are Maildir++ folders, as Dovecot and Courier lay them out: label {@code Work}
 * is {@code .Work/}, {@code Lists/Java} is {@code .Lists.Java/} (both '/' and '.' separate levels,
 * Maildir++'s own rule), other characters as IMAP's modified UTF-7. A message is in the inbox (the
 * Maildir's own {@code new/}) unless archived, and in each of its labels' folders, as hard links to
 * one file where the file system allows (copies where it does not). An archived message without
 * labels goes to the archive folder ({@code .Archive/} by default), never nowhere. A message its
 * source filed as junk ({@link LabelDecision#JUNK}) goes to {@code .Junk/} alone.
 *
 * <p><b>Line ends</b> are LF by default, as Unix mail tools expect: the engine hands the Maildir LF
 * line ends, converted while the message is read. {@link Builder#lineEnding} switches to CRLF.
 *
 * <p><b>Failures</b> are {@link IOException}s naming the file or directory and the system's reason
 * (no space left, read-only file system, a directory that vanished); the message is then not held,
 * and the engine leaves it on the server.
 *
 * <p>Safe for concurrent use by several fetchers (of different accounts: their keys differ).
 */
public final class MaildirSink implements MessageSink {
  private static final Logger log = LoggerFactory.getLogger(MaildirSink.class);

  /** Default of {@link Builder#archiveFolder}: {@value}. */
  public static final String DEFAULT_ARCHIVE_FOLDER = "Archive";

  /**
   * The folder of a message its source filed as junk ({@link LabelDecision#JUNK}): {@code .Junk/},
   * the folder Dovecot and Courier mark as junk.
   */
  public static final String JUNK_FOLDER = "Junk";

  /** Default of {@link Builder#flushThreads}: {@value} threads. */
  public static final int DEFAULT_FLUSH_THREADS = 8;

  private final Path root;
  private final Maildir maildir;
  private final LineEnding lineEnding;
  private final String archiveFolder;
  private final int flushThreads;
  private final KeySet held = new KeySet();

  /**
   * Whether {@link #held} has been filled from the Maildir's file names (only under {@link #lock}):
   * at the first question or delivery, not at open, so that a run with nothing new never lists a
   * Maildir of thousands of files.
   */
  private boolean scanned;

  /**
   * Completed since the last sync: in tmp/, not yet flushed nor linked (only under {@link #lock}).
   */
  private final Map<DeliveryKey, Staged> staged = new LinkedHashMap<>();

  /** Directories with new entries since the last sync. */
  private final Set<Path> dirty = new LinkedHashSet<>();

  private final Object lock = new Object();

  private MaildirSink(Builder b) throws IOException {
    this.root = b.root;
    this.maildir = new Maildir(root);
    this.lineEnding = b.lineEnding;
    this.archiveFolder = b.archiveFolder;
    this.flushThreads = b.flushThreads;
    String what = "the Maildir " + root;
    OpeningPlace.check(what, root, true);
    try {
      Maildir.create(root, false);
    } catch (IOException e) {
      throw OpeningPlace.failed(e);
    }
    maildir.clearStaleTmp();
  }

  /**
   * The keys held in new/ and cur/, read from the file names the first time they are needed (only
   * under {@link #lock}). Every path that decides whether a key is held passes here first: {@link
   * #contains}, {@link #addLabels}, and {@link #begin} for the delivery's own checks.
   */
  private KeySet heldLocked() throws IOException {
    if (!scanned) {
      maildir.scan(held);
      scanned = true;
    }
    return held;
  }

  /** A Maildir at {@code root} with the defaults (LF line ends, archive folder {@code Archive}). */
  public static MaildirSink open(Path root) throws IOException {
    return builder(root).build();
  }

  /** A builder for a Maildir at {@code root}, created if missing. */
  public static Builder builder(Path root) {
    return new Builder(root);
  }

  /** Where the Maildir is. */
  public Path root() {
    return root;
  }

  @Override
  public LineEnding lineEnding() {
    return lineEnding;
  }

  @Override
  public Delivery begin(Envelope envelope) throws IOException {
    Objects.requireNonNull(envelope, "envelope");
    synchronized (lock) {
      heldLocked(); // the delivery's publish and the sync's links compare with what is held
    }
    List<Path> folders = new ArrayList<>();
    if (envelope.labels().contains(LabelDecision.JUNK)) {
      // The provider's verdict carries over: in the junk folder alone, never one a person reads.
      folders.add(maildir.folder(JUNK_FOLDER));
      Path tmp = maildir.newTmpFile();
      return new MaildirDelivery(tmp, folders);
    }
    if (!envelope.archived()) {
      folders.add(root);
    }
    for (String label : envelope.labels()) {
      folders.add(maildir.folder(label));
    }
    if (folders.isEmpty()) {
      folders.add(maildir.folder(archiveFolder));
    }
    Path tmp = maildir.newTmpFile();
    return new MaildirDelivery(tmp, folders);
  }

  @Override
  public boolean contains(DeliveryKey key) {
    synchronized (lock) {
      KeySet known;
      try {
        known = heldLocked();
      } catch (IOException e) {
        // The names cannot be read (the Maildir vanished, or cannot be listed): what is known to be
        // held is what this sink stored itself. Safe: a delivery reads the names again at begin
        // and fails there, naming the place, so nothing is stored twice nor reported stored.
        log.debug("{}: {}", root, e.toString());
        known = held;
      }
      return known.contains(key) || staged.containsKey(key);
    }
  }

  @Override
  public boolean addLabels(DeliveryKey key, Set<String> givenLabels) throws IOException {
    // A copy found in the source's junk does not put the copy held into the junk folder.
    Set<String> labels = new LinkedHashSet<>(givenLabels);
    labels.remove(LabelDecision.JUNK);
    synchronized (lock) {
      Staged waiting = staged.get(key);
      if (waiting != null) {
        for (String label : labels) {
          Path folder = maildir.folder(label);
          if (!waiting.folders.contains(folder)) {
            waiting.folders.add(folder); // linked there too at the sync
          }
        }
        return true;
      }
    }
    synchronized (lock) {
      if (!heldLocked().contains(key)) {
        return false;
      }
    }
    Path existing = maildir.find(key);
    if (existing == null) {
      return false; // moved away or deleted by the user since: nothing to label
    }
    synchronized (lock) {
      for (String label : labels) {
        Path folder = maildir.folder(label);
        if (Maildir.find(folder, key) != null) {
          continue;
        }
        Maildir.create(folder, true);
        Path target =
            folder
                .resolve("new")
                .resolve(MaildirNames.withoutInfo(existing.getFileName().toString()));
        Maildir.linkOrCopy(existing, target);
        dirty.add(target.getParent());
      }
    }
    return true;
  }

  @Override
  public void sync() throws IOException {
    List<Map.Entry<DeliveryKey, Staged>> batch;
    synchronized (lock) {
      batch = new ArrayList<>(staged.entrySet());
    }
    if (!batch.isEmpty()) {
      try {
        List<Path> files = new ArrayList<>();
        batch.forEach(e -> files.add(e.getValue().tmp));
        GroupFlush.flush(files, flushThreads, root);
        for (Map.Entry<DeliveryKey, Staged> e : batch) {
          synchronized (lock) {
            publishLocked(e.getValue().tmp, e.getKey(), e.getValue().size, e.getValue().folders);
            staged.remove(e.getKey());
          }
          deleteQuietly(e.getValue().tmp); // the published names are links to it, or copies
        }
      } catch (IOException | RuntimeException failed) {
        // What is not published is not held: the engine leaves it on the server, the next run
        // delivers it again. What is published was flushed first, and its directory is still dirty.
        synchronized (lock) {
          for (Map.Entry<DeliveryKey, Staged> e : batch) {
            if (staged.remove(e.getKey()) != null) {
              deleteQuietly(e.getValue().tmp);
            }
          }
        }
        throw failed;
      }
    }
    List<Path> dirs;
    synchronized (lock) {
      dirs = new ArrayList<>(dirty);
    }
    for (Path dir : dirs) {
      fsyncDirectory(dir);
      synchronized (lock) {
        dirty.remove(dir);
      }
    }
  }

  /**
   * Drops what was completed but never synced, as a crash would (the engine always syncs first).
   */
  @Override
  public void close() {
    synchronized (lock) {
      for (Staged s : staged.values()) {
        deleteQuietly(s.tmp);
      }
      staged.clear();
    }
  }

  @Override
  public String toString() {
    return "MaildirSink[" + root + ", " + lineEnding + "]";
  }

  /** A completed message waiting in tmp/ for the sync; {@code folders} grow with addLabels. */
  private static final class Staged {
    final Path tmp;
    final long size;
    final List<Path> folders;

    Staged(Path tmp, long size, List<Path> folders) {
      this.tmp = tmp;
      this.size = size;
      this.folders = new ArrayList<>(folders);
    }
  }

  // ---------------------------------------------------------------- one message

  private final class MaildirDelivery extends TmpFileDelivery {
    private final List<Path> folders;

    MaildirDelivery(Path tmp, List<Path> folders) throws IOException {
      super(tmp, true);
      this.folders = folders;
    }

    @Override
    boolean held(DeliveryKey key) {
      return contains(key);
    }

    /** Takes the file over until the sync, which flushes it and links it into new/. */
    @Override
    boolean publish(DeliveryKey key, long size) {
      synchronized (lock) {
        if (held.contains(key) || staged.containsKey(key)) {
          return false;
        }
        staged.put(key, new Staged(tmp, size, folders));
        return true;
      }
    }
  }

  /**
   * Links the flushed file into new/ of each folder, as {@code <key>,S=<size>}; false if held
   * already.
   */
  private boolean publishLocked(Path tmp, DeliveryKey key, long size, List<Path> folders)
      throws IOException {
    String name = MaildirNames.message(key, size);
    if (held.contains(key)) {
      return false;
    }
    List<Path> linked = new ArrayList<>();
    try {
      for (Path folder : folders) {
        if (folder != root) {
          Maildir.create(folder, true);
        }
        Path target = folder.resolve("new").resolve(name);
        Maildir.linkOrCopy(tmp, target);
        linked.add(target);
      }
    } catch (IOException e) {
      for (Path p : linked) {
        deleteQuietly(p);
      }
      throw e instanceof FileSystemException ? failure("cannot file a message into " + root, e) : e;
    }
    for (Path p : linked) {
      dirty.add(p.getParent());
    }
    held.add(key);
    return true;
  }

  /** Builds a {@link MaildirSink}; every setting is checked when it is set. */
  public static final class Builder {
    private final Path root;
    private LineEnding lineEnding = LineEnding.LF;
    private String archiveFolder = DEFAULT_ARCHIVE_FOLDER;
    private int flushThreads = DEFAULT_FLUSH_THREADS;
    private final Require.Once once = new Require.Once();

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /** The line ends stored: LF (the default, as Unix mail tools expect) or CRLF (as sent). */
    public Builder lineEnding(LineEnding ending) {
      once.set("lineEnding", this.lineEnding);
      this.lineEnding = Objects.requireNonNull(ending, "lineEnding");
      return this;
    }

    /**
     * The folder (a label name) for archived messages without labels; {@value
     * #DEFAULT_ARCHIVE_FOLDER} by default.
     */
    public Builder archiveFolder(String label) {
      once.set("archiveFolder", this.archiveFolder);
      new LabelDecision(Set.of(label), true); // the same rules as any label
      this.archiveFolder = label;
      return this;
    }

    /**
     * How many threads flush a batch's files at a sync: {@value #DEFAULT_FLUSH_THREADS} by default;
     * 1 flushes them one after another in the syncing thread. From 1 to 64.
     */
    public Builder flushThreads(int threads) {
      once.set("flushThreads", this.flushThreads);
      this.flushThreads = Require.range("flushThreads", threads, 1, 64);
      return this;
    }

    /** Opens the Maildir, creating its directories if missing, and reads which keys it holds. */
    public MaildirSink build() throws IOException {
      return new MaildirSink(this);
    }
  }
}
