package dev.mailfetch.cli;

import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of the accounts of a config file, read by one parser of fetch's options for the whole
 * file.
 *
 * <p>Why one parser: picocli builds a command's model (fetch's ~50 options and their mixins) by
 * reflection, and a {@link CommandLine} keeps it for the life of its command. A parser per account
 * cost 8–17 ms and ~300 KB of heap that stayed as long as the account was polled: 80–170 s and
 * about 3 GB for a 10,000-account file (docs/scale.md). Here one {@link CommandLine} parses every
 * account into one template command, whose state is copied into a fresh {@link FetchCommand} for
 * the account: set-up is linear, and an account keeps only its own values. The account's command
 * shares the parser's spec, which the code after parsing uses only for its output streams and for
 * the {@link ParameterException}s of its checks (the same words as with a spec of its own: {@link
 * BadArguments#describe} reads a spec only for an unknown option or command, which parsing alone
 * reports). Dropping the spec after a parse per account would have saved the heap but not the time.
 *
 * <p>The copy is by reflection over the command's fields and those of its mixins and argument
 * groups, so that an option added to fetch is carried without a line here; before each parse the
 * template is reset from a pristine command, so nothing of one account (a list, an option set by a
 * method such as --state) reaches the next, whatever picocli resets on reuse.
 */
final class AccountArguments {
  private final FetchCommand pristine = new FetchCommand();
  private final FetchCommand template = new FetchCommand();
  private final CommandLine parser;

  AccountArguments(PrintWriter out, PrintWriter err) {
    parser = new CommandLine(template);
    parser.setOut(out);
    parser.setErr(err);
  }

  /**
   * A command with the values of {@code args}, as fetch reads them (defaults applied, every check
   * of picocli made); its {@code env}, {@code advice} and the poll's fields are a fresh command's,
   * for the caller to set.
   *
   * @throws ParameterException what is wrong with the arguments, in picocli's words (see {@link
   *     BadArguments#describe})
   */
  FetchCommand parse(List<String> args) {
    copy(pristine, template);
    parser.parseArgs(args.toArray(new String[0]));
    FetchCommand one = new FetchCommand();
    copy(template, one);
    one.spec = template.spec;
    return one;
  }

  /** Copies the state of {@code from} into {@code to}, of the same class: see the class comment. */
  private static void copy(Object from, Object to) {
    try {
      for (Field f : from.getClass().getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.isAnnotationPresent(Spec.class)) {
          continue; // the spec is the parser's
        }
        f.setAccessible(true);
        Object value = f.get(from);
        if (f.isAnnotationPresent(Mixin.class)) {
          copy(value, f.get(to)); // picocli holds the template's mixins: copied into, not replaced
        } else if (value != null && f.isAnnotationPresent(ArgGroup.class)) {
          Object group = newInstance(value.getClass());
          copy(value, group);
          f.set(to, group);
        } else if (value instanceof List<?> list) {
          f.set(to, new ArrayList<>(list)); // the account's own, whatever picocli does with its
        } else if (!Modifier.isFinal(f.getModifiers())) {
          f.set(to, value);
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("copying fetch's options of " + from.getClass(), e);
    }
  }

  private static Object newInstance(Class<?> c) throws ReflectiveOperationException {
    var constructor = c.getDeclaredConstructor();
    constructor.setAccessible(true);
    return constructor.newInstance();
  }
}
