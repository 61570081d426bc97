package dev.mailfetch.testkit.gmail;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a {@link FakeGmailServer} before each test and stops it after, so no test sees another's
 * mailbox, tokens or faults.
 *
 * <pre>{@code
 * @RegisterExtension
 * final FakeGmailServerExtension gmail = FakeGmailServerExtension.of(g -> g.addAccount("me@gmail.com"));
 *
 * @Test
 * void imports(FakeGmailServer server) {   // injected, or use gmail.server()
 *   ...
 * }
 * }</pre>
 */
public final class FakeGmailServerExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final Consumer<FakeGmailServer> configuration;
  private FakeGmailServer server;

  private FakeGmailServerExtension(Consumer<FakeGmailServer> configuration) {
    this.configuration = configuration;
  }

  /** An extension whose server is configured by {@code configuration} before each test. */
  public static FakeGmailServerExtension of(Consumer<FakeGmailServer> configuration) {
    return new FakeGmailServerExtension(Objects.requireNonNull(configuration, "configuration"));
  }

  /** The running server of the current test. */
  public FakeGmailServer server() {
    if (server == null) {
      throw new IllegalStateException("the fake Gmail runs only while a test runs");
    }
    return server;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server = FakeGmailServer.start();
    configuration.accept(server);
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
    return parameter.getParameter().getType() == FakeGmailServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }
}
