package dev.mailfetch.pop3.internal;

import dev.mailfetch.api.TokenProvider;
import dev.mailfetch.pop3.AuthMechanism;
import dev.mailfetch.pop3.Pop3Limits;
import dev.mailfetch.pop3.Security;
import dev.mailfetch.pop3.Tolerance;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * What a source (or the doctor) hands a connection: where to connect, how to secure it, who logs
 * in, the limits and tolerances. Built by name ({@link #builder()}, {@link #toBuilder()}), never by
 * position.
 *
 * @param pipelining true or false to force it, null to follow the server's CAPA
 */
public record Pop3Settings(
    String host,
    int port,
    Security security,
    String user,
    Supplier<String> password,
    TokenProvider tokens,
    Set<AuthMechanism> mechanisms,
    boolean allowPlaintext,
    SSLContext sslContext,
    Pop3Limits limits,
    Set<Tolerance> tolerances,
    Boolean pipelining,
    String account) {

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.security = security;
    b.user = user;
    b.password = password;
    b.tokens = tokens;
    b.mechanisms = mechanisms;
    b.allowPlaintext = allowPlaintext;
    b.sslContext = sslContext;
    b.limits = limits;
    b.tolerances = tolerances;
    b.pipelining = pipelining;
    b.account = account;
    return b;
  }

  /** Settings by name; host, security and limits are required. */
  public static final class Builder {
    private String host;
    private int port;
    private Security security;
    private String user;
    private Supplier<String> password;
    private TokenProvider tokens;
    private Set<AuthMechanism> mechanisms = Set.of();
    private boolean allowPlaintext;
    private SSLContext sslContext;
    private Pop3Limits limits;
    private Set<Tolerance> tolerances = Set.of();
    private Boolean pipelining;
    private String account;

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder security(Security security) {
      this.security = security;
      return this;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** The password, asked for only when a login needs it; null for none. */
    public Builder password(Supplier<String> password) {
      this.password = password;
      return this;
    }

    /** OAuth 2.0 access tokens; null for none. */
    public Builder tokens(TokenProvider tokens) {
      this.tokens = tokens;
      return this;
    }

    public Builder mechanisms(Set<AuthMechanism> mechanisms) {
      this.mechanisms = mechanisms;
      return this;
    }

    public Builder allowPlaintext(boolean allowPlaintext) {
      this.allowPlaintext = allowPlaintext;
      return this;
    }

    /** The embedder's TLS context; null for the JDK's default. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    public Builder limits(Pop3Limits limits) {
      this.limits = limits;
      return this;
    }

    public Builder tolerances(Set<Tolerance> tolerances) {
      this.tolerances = tolerances;
      return this;
    }

    /** True or false to force pipelining on or off; null (the default) to follow CAPA. */
    public Builder pipelining(Boolean pipelining) {
      this.pipelining = pipelining;
      return this;
    }

    /** The account's name, as logs and reports show it. */
    public Builder account(String account) {
      this.account = account;
      return this;
    }

    public Pop3Settings build() {
      return new Pop3Settings(
          Objects.requireNonNull(host, "host"),
          port,
          Objects.requireNonNull(security, "security"),
          user,
          password,
          tokens,
          mechanisms,
          allowPlaintext,
          sslContext,
          Objects.requireNonNull(limits, "limits"),
          tolerances,
          pipelining,
          account);
    }
  }
}
