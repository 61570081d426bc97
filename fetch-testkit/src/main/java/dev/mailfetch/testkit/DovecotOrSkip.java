package dev.mailfetch.testkit;

import java.lang.reflect.Method;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link RequiresDovecot}: the class's {@code BeforeAll}/{@code AfterAll}
 * methods are skipped and each test is disabled with the reason where no private Dovecot can run,
 * so the report shows every test skipped and why (an abort in {@code @BeforeAll} shows none).
 */
public final class DovecotOrSkip implements ExecutionCondition, InvocationInterceptor {
  private static final ExtensionContext.Namespace HERE =
      ExtensionContext.Namespace.create(DovecotOrSkip.class);

  /** Made by JUnit, for {@link RequiresDovecot}. */
  public DovecotOrSkip() {}

  /** Where Dovecot can run: enabled. Asked once per class; the classes themselves stay enabled. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (context.getTestMethod().isEmpty()) {
      return ConditionEvaluationResult.enabled("a class: its tests are judged one by one");
    }
    return why(context)
        .map(ConditionEvaluationResult::disabled)
        .orElseGet(() -> ConditionEvaluationResult.enabled("Dovecot can run here"));
  }

  @Override
  public void interceptBeforeAllMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    runOrSkip(invocation, context);
  }

  @Override
  public void interceptAfterAllMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext,
      ExtensionContext context)
      throws Throwable {
    runOrSkip(invocation, context);
  }

  private static void runOrSkip(Invocation<Void> invocation, ExtensionContext context)
      throws Throwable {
    if (why(context).isPresent()) {
      invocation.skip();
    } else {
      invocation.proceed();
    }
  }

  /** Why Dovecot cannot serve the class of {@code context}, asked once per class. */
  private static Optional<String> why(ExtensionContext context) {
    Class<?> test = context.getRequiredTestClass();
    String reason =
        context
            .getRoot()
            .getStore(HERE)
            .getOrComputeIfAbsent(
                test, c -> PrivateDovecot.whyUnavailable(services(test)).orElse(""), String.class);
    return reason.isEmpty() ? Optional.empty() : Optional.of(reason);
  }

  private static PrivateDovecot.Service[] services(Class<?> test) {
    for (Class<?> c = test; c != null; c = c.getEnclosingClass()) {
      Optional<RequiresDovecot> a = AnnotationSupport.findAnnotation(c, RequiresDovecot.class);
      if (a.isPresent()) {
        return a.get().value();
      }
    }
    return new PrivateDovecot.Service[] {PrivateDovecot.Service.POP3};
  }
}
