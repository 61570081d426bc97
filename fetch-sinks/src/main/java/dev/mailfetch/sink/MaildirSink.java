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
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * labels goes to the archive folder ({@code .Archive/} by default), never nowhere.
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
  /** Default of {@link Builder#archiveFolder}: {@value}. */
  public static final String DEFAULT_ARCHIVE_FOLDER = "Archive";

  /** Default of {@link Builder#flushThreads}: {@value} threads. */
  public static final int DEFAULT_FLUSH_THREADS = 8;

  private static final Logger log = LoggerFactory.getLogger(MaildirSink.class);

  /**
   * Files in tmp/ older than this are left-overs of a crash (the Maildir convention's 36 hours).
   */
  private static final Duration STALE_TMP = Duration.ofHours(36);

  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final Path root;
  private final LineEnding lineEnding;
  private final String archiveFolder;
  private final int flushThreads;
  private final KeySet held = new KeySet();

  /**
   * Completed since the last sync: in tmp/, not yet flushed nor linked (only under {@link #lock}).
   */
  private final Map<DeliveryKey, Staged> staged = new LinkedHashMap<>();

  /** Directories with new entries since the last sync. */
  private final Set<Path> dirty = new LinkedHashSet<>();

  private final Object lock = new Object();

  private MaildirSink(Builder b) throws IOException {
    this.root = b.root;
    this.lineEnding = b.lineEnding;
    this.archiveFolder = b.archiveFolder;
    this.flushThreads = b.flushThreads;
    String what = "the Maildir " + root;
    OpeningPlace.check(what, root, true);
    try {
      createMaildir(root, false);
      scan();
    } catch (IOException e) {
      throw OpeningPlace.failed(e);
    }
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
    List<Path> folders = new ArrayList<>();
    if (!envelope.archived()) {
      folders.add(root);
    }
    for (String label : envelope.labels()) {
      folders.add(root.resolve(folderName(label)));
    }
    if (folders.isEmpty()) {
      folders.add(root.resolve(folderName(archiveFolder)));
    }
    Path tmp =
        root.resolve("tmp")
            .resolve(
                Instant.now().getEpochSecond()
                    + ".P"
                    + ProcessHandle.current().pid()
                    + "Q"
                    + SEQUENCE.incrementAndGet()
                    + ".mailfetch");
    return new MaildirDelivery(tmp, envelope.size(), folders);
  }

  @Override
  public boolean contains(DeliveryKey key) {
    synchronized (lock) {
      return held.contains(key) || staged.containsKey(key);
    }
  }

  @Override
  public boolean addLabels(DeliveryKey key, Set<String> labels) throws IOException {
    synchronized (lock) {
      Staged waiting = staged.get(key);
      if (waiting != null) {
        for (String label : labels) {
          Path folder = root.resolve(folderName(label));
          if (!waiting.folders.contains(folder)) {
            waiting.folders.add(folder); // linked there too at the sync
          }
        }
        return true;
      }
    }
    if (!held.contains(key)) {
      return false;
    }
    Path existing = find(key);
    if (existing == null) {
      return false; // moved away or deleted by the user since: nothing to label
    }
    synchronized (lock) {
      for (String label : labels) {
        Path folder = root.resolve(folderName(label));
        if (find(folder, key) != null) {
          continue;
        }
        createMaildir(folder, true);
        Path target =
            folder.resolve("new").resolve(existing.getFileName().toString().split(":", 2)[0]);
        linkOrCopy(existing, target);
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
        flushAll(batch);
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

  /**
   * Flushes the staged files, from up to {@link #flushThreads} threads: a file system commits
   * flushes that wait at the same time together (ext4's journal, XFS's log), so 10,000 messages
   * cost far fewer disk commits than one flush after another (docs/benchmarks.md, Maildir).
   */
  private void flushAll(List<Map.Entry<DeliveryKey, Staged>> batch) throws IOException {
    int threads = Math.min(flushThreads, batch.size());
    List<Future<?>> others = new ArrayList<>();
    for (int t = 1; t < threads; t++) {
      int first = t;
      others.add(
          FLUSHERS.submit(
              () -> {
                flushEvery(batch, first, threads);
                return null;
              }));
    }
    IOException failed = null;
    try {
      flushEvery(batch, 0, threads);
    } catch (IOException e) {
      failed = e;
    }
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failed == null) {
          failed =
              e.getCause() instanceof IOException
                  ? (IOException) e.getCause()
                  : new IOException("flushing " + root + " failed: " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while flushing " + root);
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static void flushEvery(List<Map.Entry<DeliveryKey, Staged>> batch, int first, int step)
      throws IOException {
    for (int i = first; i < batch.size(); i += step) {
      Path tmp = batch.get(i).getValue().tmp;
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        c.force(false);
      } catch (IOException e) {
        throw failure("cannot write " + tmp + " to disk", e);
      }
    }
  }

  /**
   * Shared by every Maildir: at most 64 threads, each ended after 30 s without work; a flush that
   * finds them all busy runs in the syncing thread instead.
   */
  private static final ThreadPoolExecutor FLUSHERS = flushers();

  private static ThreadPoolExecutor flushers() {
    ThreadPoolExecutor e =
        new ThreadPoolExecutor(
            0,
            64,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "mailfetch-maildir-flush");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    return e;
  }

  /**
   * The Maildir++ folder of {@code label}: '.' then its levels joined by '.', each in IMAP's
   * modified UTF-7 (RFC 3501 §5.1.3), an empty level as "_".
   */
  static String folderName(String label) {
    StringBuilder out = new StringBuilder();
    for (String level : label.split("[/.]", -1)) {
      out.append('.').append(level.isEmpty() ? "_" : modifiedUtf7(level));
    }
    return out.toString();
  }

  static String modifiedUtf7(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c >= 0x20 && c <= 0x7e) {
        out.append(c == '&' ? "&-" : String.valueOf(c));
        i++;
        continue;
      }
      int j = i;
      while (j < s.length() && (s.charAt(j) < 0x20 || s.charAt(j) > 0x7e)) {
        j++;
      }
      byte[] utf16 = s.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
      out.append('&')
          .append(Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ','))
          .append('-');
      i = j;
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- the directory

  private void createMaildir(Path folder, boolean subfolder) throws IOException {
    try {
      boolean created = false;
      if (!Files.isDirectory(folder)) {
        Files.createDirectories(folder);
        created = true;
      }
      for (String sub : new String[] {"tmp", "new", "cur"}) {
        Path d = folder.resolve(sub);
        if (!Files.isDirectory(d)) {
          Files.createDirectory(d);
          created = true;
        }
      }
      if (subfolder && !Files.exists(folder.resolve("maildirfolder"))) {
        Files.createFile(
            folder.resolve("maildirfolder")); // Maildir++: this is a folder, not a Maildir
        created = true;
      }
      if (created) {
        fsyncDirectory(folder);
        fsyncDirectory(folder.getParent());
      }
    } catch (IOException e) {
      throw failure("cannot create the Maildir " + folder, e);
    }
  }

  /** Every key held in new/ and cur/ of the Maildir and its folders; clears stale tmp files. */
  private void scan() throws IOException {
    List<Path> folders = new ArrayList<>();
    folders.add(root);
    try (DirectoryStream<Path> subs =
        Files.newDirectoryStream(
            root,
            p ->
                p.getFileName().toString().startsWith(".")
                    && Files.isDirectory(p.resolve("cur")))) {
      subs.forEach(folders::add);
    } catch (IOException e) {
      throw failure("cannot read the Maildir " + root, e);
    }
    for (Path folder : folders) {
      for (String sub : new String[] {"new", "cur"}) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder.resolve(sub))) {
          for (Path f : files) {
            DeliveryKey key = keyOf(f.getFileName().toString());
            if (key != null) {
              held.add(key);
            }
          }
        } catch (NoSuchFileException e) {
          // a folder without new/ or cur/ is not ours to repair
        } catch (IOException e) {
          throw failure("cannot read " + folder.resolve(sub), e);
        }
      }
    }
    Instant stale = Instant.now().minus(STALE_TMP);
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(root.resolve("tmp"), "*.mailfetch")) {
      for (Path f : tmp) {
        if (Files.getLastModifiedTime(f).toInstant().isBefore(stale)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      log.warn("could not clear old files in {}: {}", root.resolve("tmp"), e.toString());
    }
  }

  /** The key a file name starts with ("<64 hex>" then ',', ':' or nothing), or null. */
  static DeliveryKey keyOf(String name) {
    if (name.length() < 64
        || (name.length() > 64 && name.charAt(64) != ',' && name.charAt(64) != ':')) {
      return null;
    }
    try {
      return DeliveryKey.parse(name.substring(0, 64));
    } catch (IllegalArgumentException notOurs) {
      return null;
    }
  }

  /** A file holding {@code key} in any folder, or null. */
  private Path find(DeliveryKey key) throws IOException {
    Path inbox = find(root, key);
    if (inbox != null) {
      return inbox;
    }
    try (DirectoryStream<Path> subs =
        Files.newDirectoryStream(root, p -> p.getFileName().toString().startsWith("."))) {
      for (Path folder : subs) {
        Path f = find(folder, key);
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }

  private static Path find(Path folder, DeliveryKey key) throws IOException {
    for (String sub : new String[] {"new", "cur"}) {
      Path dir = folder.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, key + "*")) {
        for (Path f : files) {
          if (key.equals(keyOf(f.getFileName().toString()))) {
            return f;
          }
        }
      }
    }
    return null;
  }

  private static void linkOrCopy(Path existing, Path target) throws IOException {
    try {
      Files.createLink(target, existing);
    } catch (FileAlreadyExistsException e) {
      // there already: a re-delivery
    } catch (UnsupportedOperationException | FileSystemException e) {
      if (e instanceof FileSystemException && Files.exists(target)) {
        return;
      }
      Files.copy(existing, target);
      try (FileChannel c = FileChannel.open(target, StandardOpenOption.WRITE)) {
        c.force(false);
      }
    }
  }

  // ---------------------------------------------------------------- one message

  private final class MaildirDelivery extends TmpFileDelivery {
    private final List<Path> folders;

    MaildirDelivery(Path tmp, long announcedSize, List<Path> folders) throws IOException {
      super(tmp, announcedSize, true);
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
    String name = key + ",S=" + size;
    if (held.contains(key)) {
      return false;
    }
    List<Path> linked = new ArrayList<>();
    try {
      for (Path folder : folders) {
        if (folder != root) {
          createMaildir(folder, true);
        }
        Path target = folder.resolve("new").resolve(name);
        linkOrCopy(tmp, target);
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
