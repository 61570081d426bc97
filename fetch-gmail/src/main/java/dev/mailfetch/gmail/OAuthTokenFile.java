package dev.mailfetch.gmail;

import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.internal.Require;
import dev.mailfetch.gmail.internal.oauth.TokenFileFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An OAuth 2.0 refresh grant and everything needed to use it unattended: the provider and its
 * endpoints, the client id (and secret, where the provider wants one), the scopes granted, the
 * account it was granted for where known, and the refresh token itself.
 *
 * <p>On disk it is a small JSON document (docs/oauth.md shows one), written by {@link #write(Path)}
 * whole or not at all and readable by its owner only (mode 0600), and read by {@link #read(Path)}
 * only when no one else may read or change it, as ssh treats a private key. {@link
 * OAuthAuthorization} writes one; {@link OAuthTokenProvider#fromFile(Path)} uses one and writes
 * back a refresh token the provider replaced (Microsoft does, at every refresh).
 *
 * <p>Immutable. {@link #toString()} names the provider, client id, scopes and account, never the
 * client secret or the refresh token.
 */
public final class OAuthTokenFile {
  /** The largest token file read: far more than any real one needs. */
  public static final int MAX_BYTES = 64 * 1024;

  private final OAuthEndpoints endpoints;
  private final String clientId;
  private final String clientSecret;
  private final List<String> scopes;
  private final String account;
  private final Instant authorizedAt;
  private final String refreshToken;

  private OAuthTokenFile(Builder b) {
    this.endpoints = Objects.requireNonNull(b.endpoints, "endpoints");
    this.clientId = text(b.clientId, "clientId");
    this.clientSecret = b.clientSecret == null ? null : text(b.clientSecret, "clientSecret");
    this.scopes = List.copyOf(b.scopes);
    for (String s : scopes) {
      text(s, "scope");
      if (s.indexOf(' ') >= 0) {
        throw new IllegalArgumentException(
            "a scope has no spaces (give each scope on its own): \"" + s + "\"");
      }
    }
    this.account = b.account == null ? null : text(b.account, "account");
    this.authorizedAt = b.authorizedAt;
    this.refreshToken = text(b.refreshToken, "refreshToken");
  }

  /** A builder; endpoints, client id and refresh token are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads a token file.
   *
   * @throws FetchException {@link dev.mailfetch.api.FetchError#CONFIGURATION} when it is missing,
   *     readable or writable by others (nothing is read then; the message says {@code chmod 600}),
   *     not a token file, or lacks a field, each named in words
   */
  public static OAuthTokenFile read(Path file) throws FetchException {
    return TokenFileFormat.read(file);
  }

  /**
   * Writes this to {@code file}, replacing it whole or not at all, readable and writable by its
   * owner only (POSIX mode 0600, set as the file is created; on a file system without POSIX
   * permissions, an access list naming its owner alone where there is one).
   *
   * @throws IOException when it cannot be written; an old file is then left as it was
   */
  public void write(Path file) throws IOException {
    TokenFileFormat.write(this, file);
  }

  /** This grant with another refresh token: the one the provider sent in place of the old. */
  public OAuthTokenFile withRefreshToken(String refreshToken) {
    return toBuilder().refreshToken(refreshToken).build();
  }

  /** A builder holding all of this. */
  public Builder toBuilder() {
    // the values as they are, none given yet: each may then be changed once
    Builder b = builder();
    b.endpoints = endpoints;
    b.clientId = clientId;
    b.clientSecret = clientSecret;
    b.scopes = scopes;
    b.account = account;
    b.authorizedAt = authorizedAt;
    b.refreshToken = refreshToken;
    return b;
  }

  /** The provider and its endpoints. */
  public OAuthEndpoints endpoints() {
    return endpoints;
  }

  /** The OAuth client (the app registered at the provider). */
  public String clientId() {
    return clientId;
  }

  /** The client's secret, for providers that want one of an installed app (Google); else empty. */
  public Optional<String> clientSecret() {
    return Optional.ofNullable(clientSecret);
  }

  /** The scopes asked for when the grant was made. */
  public List<String> scopes() {
    return scopes;
  }

  /** The account the grant was made for, where known (as the person signing in named it). */
  public Optional<String> account() {
    return Optional.ofNullable(account);
  }

  /** When the grant was made, where known. */
  public Optional<Instant> authorizedAt() {
    return Optional.ofNullable(authorizedAt);
  }

  /** The refresh token: a secret. */
  public String refreshToken() {
    return refreshToken;
  }

  /** The provider, client id, scopes and account; never a secret. */
  @Override
  public String toString() {
    return "OAuthTokenFile["
        + endpoints.provider().id()
        + ", client "
        + clientId
        + (clientSecret == null ? "" : " (with a secret)")
        + ", scopes "
        + String.join(" ", scopes)
        + (account == null ? "" : ", account " + account)
        + "]";
  }

  static String text(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) {
        throw new IllegalArgumentException(name + " must not contain control characters");
      }
    }
    return s;
  }

  /**
   * Builds an {@link OAuthTokenFile}; validates each value as it is given where it can, and takes
   * each once (a second call is refused showing the value it has, never a secret's).
   */
  public static final class Builder {
    private final Require.Once once = new Require.Once();
    private OAuthEndpoints endpoints;
    private String clientId;
    private String clientSecret;
    private List<String> scopes = List.of();
    private String account;
    private Instant authorizedAt;
    private String refreshToken;

    private Builder() {}

    /** The provider and its endpoints. Required. */
    public Builder endpoints(OAuthEndpoints endpoints) {
      once.set("endpoints", this.endpoints);
      this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
      return this;
    }

    /** The OAuth client id. Required. */
    public Builder clientId(String clientId) {
      once.set("clientId", this.clientId);
      this.clientId = text(clientId, "clientId");
      return this;
    }

    /** The client secret, or null for a public client without one (Microsoft's desktop apps). */
    public Builder clientSecret(String clientSecret) {
      once.setSecret("clientSecret");
      this.clientSecret = clientSecret == null ? null : text(clientSecret, "clientSecret");
      return this;
    }

    /** The scopes granted. */
    public Builder scopes(List<String> scopes) {
      once.set("scopes", this.scopes);
      this.scopes = List.copyOf(scopes);
      return this;
    }

    /** The account the grant is for, or null when not known. */
    public Builder account(String account) {
      once.set("account", this.account);
      this.account = account == null ? null : text(account, "account");
      return this;
    }

    /** When the grant was made, or null. */
    public Builder authorizedAt(Instant at) {
      once.set("authorizedAt", this.authorizedAt);
      this.authorizedAt = at;
      return this;
    }

    /** The refresh token. Required. */
    public Builder refreshToken(String refreshToken) {
      once.setSecret("refreshToken");
      this.refreshToken = text(refreshToken, "refreshToken");
      return this;
    }

    /** The grant, checked. */
    public OAuthTokenFile build() {
      return new OAuthTokenFile(this);
    }
  }
}
