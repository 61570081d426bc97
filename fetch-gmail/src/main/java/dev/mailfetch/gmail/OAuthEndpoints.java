package dev.mailfetch.gmail;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an OAuth 2.0 provider signs a person in (its authorization endpoint) and where a program
 * trades a grant for tokens (its token endpoint), and which provider it is: {@link #google()},
 * {@link #microsoft(String)}, or any other with {@link #of(URI, URI)}.
 *
 * <p>The provider decides a few things beyond the two addresses: Google returns a refresh token
 * only when the authorization asks for {@code access_type=offline} (and again on a later sign-in
 * only with {@code prompt=consent}), and the advice for a refresh token that stopped working
 * differs (a Google Cloud app left in "Testing" loses its refresh tokens after 7 days).
 *
 * <p>Immutable; equal when provider, tenant and both addresses are equal. Tests point a preset at a
 * fake server with {@link #at(URI, URI)}, which keeps the provider's behaviour.
 */
public final class OAuthEndpoints {
  /** Which provider's rules apply. */
  public enum Provider {
    /** Google accounts (Gmail, Google Workspace). */
    GOOGLE,
    /** Microsoft identity platform (Outlook.com, Microsoft 365), v2.0 endpoints. */
    MICROSOFT,
    /** Any other OAuth 2.0 provider: RFC 6749 and RFC 7636 only. */
    OTHER;

    /** The lower-case name written in a token file ({@code "google"}). */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final URI GOOGLE_AUTH = URI.create("https://accounts.google.com/o/oauth2/v2/auth");
  private static final URI GOOGLE_TOKEN = URI.create("https://oauth2.googleapis.com/token");

  /**
   * A tenant: one of Microsoft's three audiences, a directory (tenant) id, or a verified domain.
   */
  private static final Pattern TENANT =
      Pattern.compile(
          "common|consumers|organizations"
              + "|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
              + "|(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");

  private final Provider provider;
  private final String tenant;
  private final URI authorization;
  private final URI token;

  private OAuthEndpoints(Provider provider, String tenant, URI authorization, URI token) {
    this.provider = provider;
    this.tenant = tenant;
    this.authorization = checked(authorization, "authorization endpoint");
    this.token = checked(token, "token endpoint");
  }

  /**
   * Google: {@code accounts.google.com} signs in, {@code oauth2.googleapis.com/token} refreshes.
   */
  public static OAuthEndpoints google() {
    return new OAuthEndpoints(Provider.GOOGLE, null, GOOGLE_AUTH, GOOGLE_TOKEN);
  }

  /**
   * Microsoft's identity platform (v2.0) for one audience.
   *
   * @param tenant {@code "common"} (personal and work or school accounts), {@code "consumers"}
   *     (Outlook.com, Hotmail, Live only), {@code "organizations"} (Microsoft 365 work or school
   *     accounts only), or one organisation's directory (tenant) id or verified domain name
   * @throws IllegalArgumentException for anything else, naming the accepted forms
   */
  public static OAuthEndpoints microsoft(String tenant) {
    Objects.requireNonNull(tenant, "tenant");
    if (!TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException(
          "the Microsoft tenant must be common, consumers, organizations, a"
              + " directory (tenant) id such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain name such as"
              + " contoso.onmicrosoft.com; got \""
              + tenant
              + "\"");
    }
    String base = "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/";
    return new OAuthEndpoints(
        Provider.MICROSOFT, tenant, URI.create(base + "authorize"), URI.create(base + "token"));
  }

  /** Any other provider, by its two endpoints (both {@code https}, or {@code http} on loopback). */
  public static OAuthEndpoints of(URI authorization, URI token) {
    return new OAuthEndpoints(Provider.OTHER, null, authorization, token);
  }

  /**
   * These rules at other addresses: a test's fake server, or a provider's regional endpoint. The
   * provider and tenant stay.
   */
  public OAuthEndpoints at(URI authorization, URI token) {
    return new OAuthEndpoints(provider, tenant, authorization, token);
  }

  /** Which provider's rules apply. */
  public Provider provider() {
    return provider;
  }

  /** The Microsoft tenant, for {@link #microsoft(String)}; empty for the others. */
  public Optional<String> tenant() {
    return Optional.ofNullable(tenant);
  }

  /** Where a person signs in and grants access (RFC 6749 §3.1). */
  public URI authorizationEndpoint() {
    return authorization;
  }

  /** Where grants are traded for tokens (RFC 6749 §3.2). */
  public URI tokenEndpoint() {
    return token;
  }

  private static URI checked(URI uri, String what) {
    Objects.requireNonNull(uri, what);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (host == null || !(scheme.equals("https") || (scheme.equals("http") && isLoopback(host)))) {
      throw new IllegalArgumentException(
          "the "
              + what
              + " must be an https:// address (http:// only on this"
              + " machine's loopback, for tests); got "
              + uri.getScheme()
              + "://"
              + (host == null ? "" : host)
              + "/…");
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "the " + what + " must carry no user name and no #fragment");
    }
    return uri;
  }

  static boolean isLoopback(String host) {
    return host.equals("127.0.0.1")
        || host.equals("localhost")
        || host.equals("[::1]")
        || host.equals("::1");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof OAuthEndpoints)) {
      return false;
    }
    OAuthEndpoints e = (OAuthEndpoints) o;
    return provider == e.provider
        && Objects.equals(tenant, e.tenant)
        && authorization.equals(e.authorization)
        && token.equals(e.token);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, tenant, authorization, token);
  }

  @Override
  public String toString() {
    return provider.id()
        + (tenant == null ? "" : " (tenant " + tenant + ")")
        + " token endpoint "
        + token;
  }
}
