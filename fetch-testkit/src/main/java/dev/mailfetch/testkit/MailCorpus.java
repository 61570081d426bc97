package dev.mailfetch.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Realistic mailboxes made from a seed: the same seed gives the same bytes on every machine and JDK
 * ({@link Random} is specified to the bit).
 *
 * <p>What a generated mailbox holds, by default:
 *
 * <ul>
 *   <li>sizes around a median near 8 KB (log-normal), and about 5% of messages with a base64
 *       attachment of 100 KB to 1 MB;
 *   <li>lines that start with '.' (a lone '.', '..', '.signature'), which the server must stuff;
 *   <li>8-bit text (UTF-8 in headers and bodies), and now and then a NUL byte (quirk Q08);
 *   <li>lines longer than RFC 5322's 998 octets (quirk Q07);
 *   <li>about 2% duplicates by Message-ID (some identical, some with other trace headers, as a
 *       forwarded and a fetched copy differ), and about 3% without a Message-ID.
 * </ul>
 *
 * <p>Messages use CRLF line ends, as POP3 serves them. {@link #writeMaildir} stores them with LF
 * line ends, as Dovecot and mail tools keep Maildir files.
 */
public final class MailCorpus {
  /** One generated message. */
  public static final class Message {
    private final String uid;
    private final byte[] content;
    private final String messageId;

    Message(String uid, byte[] content, String messageId) {
      this.uid = uid;
      this.content = content;
      this.messageId = messageId;
    }

    /** A unique id for it, {@code corpus-000001} and so on. */
    public String uid() {
      return uid;
    }

    /** A copy of its bytes (CRLF line ends). */
    public byte[] content() {
      return content.clone();
    }

    /** Its Message-ID with angle brackets, or null for a message without one. */
    public String messageId() {
      return messageId;
    }

    /** Its size in bytes. */
    public int size() {
      return content.length;
    }
  }

  private final long seed;
  private final List<Message> messages;

  private MailCorpus(long seed, List<Message> messages) {
    this.seed = seed;
    this.messages = List.copyOf(messages);
  }

  /** A corpus of {@code count} messages from {@code seed}. */
  public static MailCorpus generate(long seed, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    return new Generator(seed).corpus(count);
  }

  /**
   * The messages that {@code keep} accepts, in order, as a corpus (for example, the small ones).
   */
  public MailCorpus filter(Predicate<Message> keep) {
    return new MailCorpus(seed, messages.stream().filter(keep).toList());
  }

  /** The seed it was made from. */
  public long seed() {
    return seed;
  }

  /** The messages, in order. */
  public List<Message> messages() {
    return messages;
  }

  /** The total size in bytes. */
  public long totalBytes() {
    long n = 0;
    for (Message m : messages) {
      n += m.size();
    }
    return n;
  }

  /** A fake mailbox holding the corpus, with the corpus's unique ids. */
  public FakeMailbox toMailbox() {
    FakeMailbox box = FakeMailbox.create();
    for (Message m : messages) {
      box.add(m.uid(), m.content);
    }
    return box;
  }

  /**
   * Lays the corpus out as a Maildir ({@code tmp/}, {@code new/}, {@code cur/}) under {@code
   * maildir}, one file per message in {@code new/} with LF line ends, named so that their order is
   * the corpus order. Returns the files in order.
   */
  public List<Path> writeMaildir(Path maildir) throws IOException {
    for (String d : new String[] {"tmp", "new", "cur"}) {
      Files.createDirectories(maildir.resolve(d));
    }
    List<Path> files = new ArrayList<>(messages.size());
    long base = 1_700_000_000L;
    for (int i = 0; i < messages.size(); i++) {
      Path f =
          maildir
              .resolve("new")
              .resolve(String.format(Locale.ROOT, "%d.M%06dP1.mailfetch-corpus", base + i, i));
      Files.write(f, toLf(messages.get(i).content));
      files.add(f);
    }
    return files;
  }

  /**
   * What an RFC 1939 server sends for a message after RETR's status line: the bytes dot-stuffed (a
   * '.' doubled at the start of every line, lines ending in CRLF), CRLF added if they do not end in
   * one, and the {@code .CRLF} terminator. For tests and benchmarks of readers.
   */
  public static byte[] wireForm(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 64);
    boolean lineStart = true;
    for (int i = 0; i < content.length; i++) {
      byte c = content[i];
      if (lineStart && c == '.') {
        out.write('.');
      }
      out.write(c);
      lineStart = c == '\n' && i > 0 && content[i - 1] == '\r';
    }
    if (!lineStart) {
      out.write('\r');
      out.write('\n');
    }
    out.write('.');
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }

  /** The bytes with every CRLF turned into LF: how a message is kept in a Maildir file. */
  public static byte[] toLf(byte[] crlf) {
    byte[] out = new byte[crlf.length];
    int n = 0;
    for (int i = 0; i < crlf.length; i++) {
      if (crlf[i] == '\r' && i + 1 < crlf.length && crlf[i + 1] == '\n') {
        continue;
      }
      out[n++] = crlf[i];
    }
    return Arrays.copyOf(out, n);
  }

  /** Makes the messages; all randomness comes from one seeded {@link Random}. */
  private static final class Generator {
    private static final String[] WORDS = {
      "the",
      "meeting",
      "invoice",
      "attached",
      "please",
      "review",
      "tomorrow",
      "project",
      "server",
      "mail",
      "report",
      "quarter",
      "budget",
      "thanks",
      "regards",
      "update",
      "schedule",
      "team",
      "release",
      "draft",
      "Grüße",
      "naïve",
      "façade",
      "Ærø",
      "日本語",
      "почта",
      "für",
      "über"
    };
    private static final String[] NAMES = {
      "Alice Martin",
      "Bob Chen",
      "Chloé Dubois",
      "Dmitri Ivanov",
      "Eva Müller",
      "Farid Haddad",
      "Grace Okafor",
      "Hiro Tanaka"
    };
    private static final DateTimeFormatter DATE =
        DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final long seed;
    private final Random r;

    Generator(long seed) {
      this.seed = seed;
      this.r = new Random(seed);
    }

    MailCorpus corpus(int count) {
      List<Message> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String uid = String.format(Locale.ROOT, "corpus-%06d", i + 1);
        if (i > 0 && r.nextDouble() < 0.02) {
          Message original = out.get(r.nextInt(out.size()));
          if (original.messageId != null) {
            out.add(duplicate(uid, original));
            continue;
          }
        }
        out.add(message(uid, i));
      }
      return new MailCorpus(seed, out);
    }

    private Message duplicate(String uid, Message original) {
      if (r.nextBoolean()) {
        return new Message(uid, original.content.clone(), original.messageId);
      }
      // The same message arriving another way: an extra trace header in front.
      byte[] trace =
          ("Received: from forwarder.example.net by mx.example.org; "
                  + DATE.format(Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1_000_000)))
                  + "\r\n")
              .getBytes(StandardCharsets.UTF_8);
      byte[] both = new byte[trace.length + original.content.length];
      System.arraycopy(trace, 0, both, 0, trace.length);
      System.arraycopy(original.content, 0, both, trace.length, original.content.length);
      return new Message(uid, both, original.messageId);
    }

    private Message message(String uid, int i) {
      StringBuilder h = new StringBuilder(1024);
      Instant when = Instant.ofEpochSecond(1_700_000_000L + i * 600L + r.nextInt(600));
      String from = NAMES[r.nextInt(NAMES.length)];
      h.append("Return-Path: <").append(address(from)).append(">\r\n");
      h.append("Received: from mail")
          .append(r.nextInt(100))
          .append(".example.net (mail.example.net [192.0.2.")
          .append(r.nextInt(250) + 1)
          .append("])\r\n\tby mx.example.org with ESMTPS id ")
          .append(Long.toHexString(r.nextLong()))
          .append(";\r\n\t")
          .append(DATE.format(when))
          .append("\r\n");
      h.append("Date: ").append(DATE.format(when)).append("\r\n");
      h.append("From: ").append(from).append(" <").append(address(from)).append(">\r\n");
      h.append("To: user@example.org\r\n");
      h.append("Subject: ").append(sentence(3 + r.nextInt(6))).append("\r\n");
      String messageId = null;
      if (r.nextDouble() >= 0.03) {
        messageId =
            "<"
                + Long.toHexString(seed)
                + "."
                + i
                + "."
                + Integer.toHexString(r.nextInt())
                + "@example.net>";
        h.append("Message-ID: ").append(messageId).append("\r\n");
      }
      h.append("MIME-Version: 1.0\r\n");
      boolean attachment = r.nextDouble() < 0.05;
      String boundary = "b" + Long.toHexString(r.nextLong());
      if (attachment) {
        h.append("Content-Type: multipart/mixed; boundary=\"")
            .append(boundary)
            .append("\"\r\n\r\n");
        h.append("--")
            .append(boundary)
            .append("\r\nContent-Type: text/plain; charset=utf-8\r\n")
            .append("Content-Transfer-Encoding: 8bit\r\n\r\n");
      } else {
        h.append(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
      }
      StringBuilder body = new StringBuilder();
      int target =
          (int)
              Math.min(
                  256 * 1024, Math.max(200, Math.exp(Math.log(7000) + 0.9 * r.nextGaussian())));
      while (body.length() < target) {
        double p = r.nextDouble();
        if (p < 0.015) {
          body.append(".\r\n"); // a lone dot line: must be stuffed or it ends the message (Q04)
        } else if (p < 0.03) {
          body.append("..and a line that starts with dots\r\n");
        } else if (p < 0.04) {
          body.append(".signature\r\n");
        } else if (p < 0.045) {
          body.append(sentence(300 + r.nextInt(500))).append("\r\n"); // beyond 998 octets (Q07)
        } else if (p < 0.047) {
          body.append("a NUL \u0000 inside a line\r\n"); // Q08
        } else if (p < 0.10) {
          body.append("\r\n");
        } else {
          body.append(sentence(8 + r.nextInt(6))).append("\r\n");
        }
      }
      byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
      byte[] text = body.toString().getBytes(StandardCharsets.UTF_8);
      byte[] tail = new byte[0];
      if (attachment) {
        byte[] data = new byte[100 * 1024 + r.nextInt(900 * 1024)];
        r.nextBytes(data);
        String b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(data);
        tail =
            ("--"
                    + boundary
                    + "\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n\r\n"
                    + b64
                    + "\r\n--"
                    + boundary
                    + "--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
      }
      byte[] all = new byte[head.length + text.length + tail.length];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(text, 0, all, head.length, text.length);
      System.arraycopy(tail, 0, all, head.length + text.length, tail.length);
      return new Message(uid, all, messageId);
    }

    private String sentence(int words) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < words; w++) {
        if (w > 0) {
          sb.append(' ');
        }
        sb.append(WORDS[r.nextInt(WORDS.length)]);
      }
      return sb.toString();
    }

    private static String address(String name) {
      return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", ".") + "@example.net";
    }
  }
}
