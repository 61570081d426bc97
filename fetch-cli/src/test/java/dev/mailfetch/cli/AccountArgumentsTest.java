package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * One parser for every account of a file gives each account what a parser of its own gave it: the
 * same values (nothing of the account before it), the same defaults, the same errors.
 */
class AccountArgumentsTest {
  /** Accounts in a row, each unlike the one before (lists, groups, a method option, flags). */
  private static final List<List<String>> ACCOUNTS =
      List.of(
          List.of(
              "pop3s://alice@mail.example.org",
              "--password-env=PW",
              "--to=maildir:/tmp/a",
              "--state=/tmp/a-state",
              "--delete",
              "--quirk=no-top",
              "--auth=plain",
              "--label=One",
              "--label=Two",
              "--timeout=30",
              "--quiet"),
          List.of("pop3://bob@10.0.0.5", "--password-file=/tmp/pw", "--keep-days=7"),
          List.of(
              "imaps://carol@imap.example.org/INBOX",
              "--oauth-token-env=T",
              "--folder=Lists",
              "--folder=Archive",
              "--on-server=trash",
              "--to=lmtp://127.0.0.1:24",
              "--recipient=carol@example.org",
              "--sink-password-env=S",
              "--state=jdbc:postgresql://db/mail",
              "--json"),
          List.of("pop3s://dave@mail.example.org", "--password-env=PW"),
          List.of(
              "pop3s://erin@mail.example.org",
              "--password-env=PW",
              "--to=gmail:erin@gmail.com",
              "--gmail-date=received",
              "--label-rule=List-Id~java=Java",
              "--archive",
              "--retry-quarantined"),
          List.of("pop3s://frank@mail.example.org", "--password-env=PW"));

  @Test
  void eachAccount_holdsWhatItsOwnParserGaveIt_nothingOfTheOneBefore() throws Exception {
    AccountArguments parser = quietParser();
    for (int round = 0; round < 2; round++) {
      for (List<String> args : ACCOUNTS) {
        FetchCommand shared = parser.parse(args);
        assertEquals(state(ownParser(args)), state(shared), String.join(" ", args));
      }
    }
  }

  @Test
  void accounts_shareNoListOrGroup_andThePollsFieldsAreFresh() {
    AccountArguments parser = quietParser();
    FetchCommand first = parser.parse(ACCOUNTS.get(0));
    FetchCommand second = parser.parse(ACCOUNTS.get(0));
    assertNotSame(first.labels, second.labels);
    assertNotSame(first.server, second.server);
    assertNotSame(first.keeping, second.keeping);
    assertNotSame(first.server.quirks, second.server.quirks);
    assertEquals(List.of("One", "Two"), first.labels);
    assertSame(Advice.COMMAND_LINE, first.advice);
    assertEquals(false, first.polled);
    assertSame(first.spec, second.spec); // the parser's, for errors and the output streams
  }

  @Test
  void aBadAccount_isToldInTheWordsOfItsOwnParser_andTheNextIsRead() {
    AccountArguments parser = quietParser();
    List<List<String>> bad =
        List.of(
            List.of("pop3s://a@h", "--password-env=PW", "--timeout=soon"),
            List.of("pop3s://a@h", "--password-env=PW", "--password-file=/tmp/x"),
            List.of("pop3s://a@h", "--password-env=PW", "--to=x", "--to=y"),
            List.of("pop3s://a@h", "--password-env=PW", "--keep", "--delete"),
            List.of("pop3s://a@h", "--password-env=PW", "--colour=red"),
            List.of("pop3s://a@h", "--password-env=PW", "--max-messages=-1"),
            List.of("pop3s://a@h", "pop3s://b@h"));
    for (List<String> args : bad) {
      assertEquals(
          outcome(() -> ownParser(args)), outcome(() -> parser.parse(args)), args.toString());
      FetchCommand next = parser.parse(ACCOUNTS.get(3));
      assertEquals(null, next.server.timeout, "nothing of the bad account stays");
      assertEquals("maildir:./Mail", next.to);
    }
    assertThrows(ParameterException.class, () -> parser.parse(bad.get(0)));
  }

  private static FetchCommand ownParser(List<String> args) {
    FetchCommand own = new FetchCommand();
    new CommandLine(own).parseArgs(args.toArray(new String[0]));
    return own;
  }

  /** What picocli says is wrong with the arguments, in our words, or "read" when nothing is. */
  private static String outcome(Supplier<FetchCommand> parse) {
    try {
      var unused = parse.get();
      return "read";
    } catch (ParameterException e) {
      return BadArguments.describe(e);
    }
  }

  private static AccountArguments quietParser() {
    PrintWriter none = new PrintWriter(new StringWriter());
    return new AccountArguments(none, none);
  }

  /** The command's values, field by field, into its mixins and groups (lists by value). */
  private static Map<String, Object> state(Object o) throws IllegalAccessException {
    Map<String, Object> s = new TreeMap<>();
    for (Field f : o.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || f.isAnnotationPresent(Spec.class)) {
        continue;
      }
      f.setAccessible(true);
      Object v = f.get(o);
      if (v != null
          && (f.isAnnotationPresent(Mixin.class) || f.isAnnotationPresent(ArgGroup.class))) {
        v = state(v);
      } else if (v instanceof Map<?, ?> || v instanceof Consumer<?>) {
        v = v.getClass().getName(); // the environment, a callback: by kind
      }
      s.put(f.getName(), v);
    }
    return s;
  }
}
