package dev.mailfetch.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class whose {@code @BeforeAll} starts a {@link PrivateDovecot}: where Dovecot cannot
 * run here ({@link PrivateDovecot#whyUnavailable(PrivateDovecot.Service...)}), its {@code
 * BeforeAll} and {@code AfterAll} methods are not run and each of its tests is reported skipped
 * with the reason. Without it, the abort in {@code @BeforeAll} shows as "Tests run: 0" and no
 * reason.
 *
 * <pre>{@code
 * @RequiresDovecot(PrivateDovecot.Service.IMAP)
 * class ImapSourceDovecotTest { @BeforeAll static void start() { PrivateDovecot.start(...); } }
 * }</pre>
 *
 * <p>Inherited by subclasses; on a {@code @Nested} class it covers that class alone.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(DovecotOrSkip.class)
public @interface RequiresDovecot {
  /** The services its Dovecot serves besides POP3 (whose servers must be installed too). */
  PrivateDovecot.Service[] value() default {PrivateDovecot.Service.POP3};
}
