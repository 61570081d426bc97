package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.FetchResult;
import dev.mailfetch.api.MessageOutcome;
import dev.mailfetch.api.QuirkId;
import dev.mailfetch.api.SkipReason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The JSON of {@code fetch --json}, {@code fetch --config --json} and {@code poll --once --json}
 * (schema: docs/cli.md). Whatever happened, at whatever stage, the command prints exactly one such
 * object on stdout: a script never has to read stderr to learn the outcome. Fields are only ever
 * added: scripts read the old ones.
 */
final class JsonReport {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonReport() {}

  /** One account's object, without its name: {@code fetch URL --json}. */
  static String one(RunOutcome o) {
    return write(g -> account(g, o, false));
  }

  /** A failure before any account ran (a bad argument, an unexpected failure). */
  static String problem(Problem p) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("status", "error");
          problem(g, "error", p);
          g.writeEndObject();
        });
  }

  /** Several accounts: the worst status and one object per account, named, in name order. */
  static String accounts(List<RunOutcome> outcomes) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("status", name(RunOutcome.status(outcomes)));
          g.writeArrayFieldStart("accounts");
          for (RunOutcome o : outcomes) {
            account(g, o, true);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String write(Body body) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }

  private static String name(FetchResult.Status s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static void account(JsonGenerator g, RunOutcome o, boolean named) throws IOException {
    g.writeStartObject();
    if (named) {
      g.writeStringField("account", o.account());
    }
    g.writeStringField("status", name(o.status()));
    if (o.firstProblem().isPresent()) {
      problem(g, "error", o.firstProblem().get());
    }
    FetchResult r = o.result();
    if (r == null) {
      g.writeEndObject(); // it never ran: no counts
      return;
    }
    g.writeNumberField("listed", r.listed());
    g.writeNumberField("fetched", r.count(MessageOutcome.Kind.DELIVERED));
    g.writeNumberField("already_seen", r.count(MessageOutcome.Kind.ALREADY_SEEN));
    g.writeNumberField("duplicates", r.count(MessageOutcome.Kind.DUPLICATE));
    g.writeNumberField("skipped", r.count(MessageOutcome.Kind.SKIPPED));
    g.writeNumberField("failed", r.count(MessageOutcome.Kind.FAILED));
    g.writeNumberField("not_tried", r.notTried());
    g.writeNumberField("deleted", r.deleted());
    g.writeNumberField("bytes", r.bytesDelivered());
    g.writeArrayFieldStart("quirks");
    for (QuirkId q : new TreeSet<>(r.quirks())) {
      g.writeString(q.name());
    }
    g.writeEndArray();
    g.writeNumberField("deletions_unconfirmed", r.deletionsUnconfirmed());
    g.writeNumberField("deletions_refused", r.deletionsRefused());
    g.writeNumberField("max_message_size", o.sizeLimit());
    messages(g, r, o.sizeLimit(), o.advice());
    g.writeArrayFieldStart("warnings");
    for (Problem p : o.notices()) {
      g.writeStartObject();
      fields(g, p);
      g.writeEndObject();
    }
    for (FetchException w : r.warnings()) {
      g.writeStartObject();
      fields(g, Problem.of(w, o.advice()).asWarning());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** skipped_by_reason, skipped_messages (all but the only-new ones) and failed_messages. */
  private static void messages(JsonGenerator g, FetchResult r, long sizeLimit, Advice advice)
      throws IOException {
    Map<SkipReason, Integer> byReason = new EnumMap<>(SkipReason.class);
    for (SkipReason reason : SkipReason.values()) {
      byReason.put(reason, 0);
    }
    boolean any =
        r.count(MessageOutcome.Kind.SKIPPED) > 0 || r.count(MessageOutcome.Kind.FAILED) > 0;
    g.writeArrayFieldStart("skipped_messages");
    if (any) {
      for (MessageOutcome m : r.outcomes()) {
        if (m.kind() != MessageOutcome.Kind.SKIPPED) {
          continue;
        }
        byReason.merge(m.skipReason(), 1, Integer::sum);
        if (m.skipReason() == SkipReason.ONLY_NEW) {
          continue; // the old mail --only-new set aside at the first run: counted, not listed every
          // run
        }
        g.writeStartObject();
        ref(g, m);
        g.writeStringField("reason", m.skipReason().name().toLowerCase(Locale.ROOT));
        if (m.skipReason() == SkipReason.MESSAGE_SIZE_LIMIT) {
          g.writeNumberField("limit", sizeLimit);
        }
        g.writeStringField("detail", TextReport.skipped(m, sizeLimit));
        g.writeStringField("remedy", TextReport.skipRemedy(m, advice));
        // Only a quarantined message is an error (the run's status and exit code are its last
        // error's); one held back by a limit is not, so it carries no code or exit code of its own.
        if (m.skipReason() == SkipReason.QUARANTINED && m.error() != null) {
          problem(g, "error", Problem.of(m.error(), advice));
        }
        g.writeEndObject();
      }
    }
    g.writeEndArray();
    g.writeObjectFieldStart("skipped_by_reason");
    for (Map.Entry<SkipReason, Integer> e : byReason.entrySet()) {
      g.writeNumberField(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue());
    }
    g.writeEndObject();
    g.writeArrayFieldStart("failed_messages");
    if (any) {
      for (MessageOutcome m : r.outcomes()) {
        if (m.kind() == MessageOutcome.Kind.FAILED && m.attempted()) {
          g.writeStartObject();
          ref(g, m);
          problem(g, "error", Problem.of(m.error(), advice));
          g.writeEndObject();
        }
      }
    }
    g.writeEndArray();
  }

  private static void ref(JsonGenerator g, MessageOutcome m) throws IOException {
    g.writeNumberField("number", m.ref().number());
    if (m.ref().hasUid()) {
      g.writeStringField("uid", m.ref().uid());
    } else {
      g.writeNullField("uid");
    }
    g.writeNumberField("size", m.ref().size());
  }

  private static void problem(JsonGenerator g, String field, Problem p) throws IOException {
    g.writeObjectFieldStart(field);
    fields(g, p);
    g.writeEndObject();
  }

  private static void fields(JsonGenerator g, Problem p) throws IOException {
    g.writeStringField("code", p.code());
    g.writeNumberField("exit_code", p.exitCode());
    g.writeStringField("message", p.message());
    g.writeStringField("detail", p.detail());
    g.writeStringField("meaning", p.meaning());
    g.writeStringField("remedy", p.remedy());
  }
}
