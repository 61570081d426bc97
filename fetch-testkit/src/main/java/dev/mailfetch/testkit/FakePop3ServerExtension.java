package dev.mailfetch.testkit;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a {@link FakePop3Server} before each test and stops it after, so no test sees another's
 * server or state.
 *
 * <pre>{@code
 * @RegisterExtension
 * final FakePop3ServerExtension pop3 = FakePop3ServerExtension.of(server -> server
 *     .account("alice", "secret", FakeMailbox.create().add("Subject: hi\r\n\r\nHello.\r\n")));
 *
 * @Test
 * void fetches(FakePop3Server server) {   // injected, or use pop3.server()
 *   ...
 * }
 * }</pre>
 *
 * <p>The configuration runs anew for each test, so mailboxes built inside it start fresh.
 */
public final class FakePop3ServerExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final Consumer<FakePop3Server.Builder> configuration;
  private FakePop3Server server;

  private FakePop3ServerExtension(Consumer<FakePop3Server.Builder> configuration) {
    this.configuration = configuration;
  }

  /** An extension whose server is configured by {@code configuration} before each test. */
  public static FakePop3ServerExtension of(Consumer<FakePop3Server.Builder> configuration) {
    return new FakePop3ServerExtension(Objects.requireNonNull(configuration, "configuration"));
  }

  /** The running server of the current test. */
  public FakePop3Server server() {
    if (server == null) {
      throw new IllegalStateException("the fake server runs only while a test runs");
    }
    return server;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    FakePop3Server.Builder b = FakePop3Server.builder();
    configuration.accept(b);
    server = b.start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FakePop3Server.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }
}
