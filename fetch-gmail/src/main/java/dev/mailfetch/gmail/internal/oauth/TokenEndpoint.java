package dev.mailfetch.gmail.internal.oauth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.internal.BoundedExchange;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * One provider's token endpoint (RFC 6749 §3.2): trades a refresh token, or an authorization code
 * with its PKCE verifier, for an access token, and says every refusal as a typed {@link
 * FetchException} in words. No secret (client secret, refresh token, code, verifier, access token)
 * appears in any exception or log; the provider's own {@code error} and {@code error_description}
 * do, escaped, as the server's reply.
 */
public final class TokenEndpoint {
  /** The largest answer read; a token answer is a few kilobytes. */
  static final int MAX_ANSWER = 64 * 1024;

  private final OAuthEndpoints endpoints;
  private final String clientId;
  private final String clientSecret;
  private final HttpClient http;
  private final Duration timeout;

  public TokenEndpoint(
      OAuthEndpoints endpoints,
      String clientId,
      String clientSecret,
      HttpClient http,
      Duration timeout) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.clientSecret = clientSecret;
    this.http = Objects.requireNonNull(http, "http");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** The endpoint's host, as the words name it. */
  public String where() {
    return "the token endpoint " + endpoints.tokenEndpoint().getHost();
  }

  /** RFC 6749 §6: a fresh access token for {@code refreshToken}. */
  public TokenResponse refresh(String refreshToken) throws FetchException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken);
    return post(form, Grant.REFRESH);
  }

  /** RFC 6749 §4.1.3 with RFC 7636 §4.5: the code a sign-in returned, for tokens. */
  public TokenResponse exchange(String code, String verifier, URI redirect) throws FetchException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirect.toString());
    form.put("code_verifier", verifier);
    return post(form, Grant.CODE);
  }

  enum Grant {
    REFRESH("refreshing the access token"),
    CODE("trading the sign-in's code for tokens");

    final String doing;

    Grant(String doing) {
      this.doing = doing;
    }
  }

  private TokenResponse post(Map<String, String> form, Grant grant) throws FetchException {
    form.put("client_id", clientId);
    if (clientSecret != null) {
      form.put("client_secret", clientSecret);
    }
    StringBuilder body = new StringBuilder();
    for (Map.Entry<String, String> e : form.entrySet()) {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(enc(e.getKey())).append('=').append(enc(e.getValue()));
    }
    HttpRequest req =
        HttpRequest.newBuilder(endpoints.tokenEndpoint())
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.US_ASCII))
            .build();
    HttpResponse<byte[]> resp;
    byte[] answer;
    boolean tooLong;
    try {
      // Bounded as a whole (JDK 17's request timeout ends at the headers): the provider's refresh
      // lock
      // is held meanwhile, and an answer that stalls after its headers must not hold it for ever.
      BoundedExchange.Reply reply = BoundedExchange.send(http, req, timeout, MAX_ANSWER);
      resp = reply.response();
      answer = resp.body();
      tooLong = reply.truncated();
    } catch (InterruptedIOException e) {
      throw new FetchException(
          FetchError.STOPPED, grant.doing + " at " + where() + " was interrupted", e);
    } catch (IOException e) {
      throw network(e, grant);
    }
    if (tooLong) {
      throw new FetchException(
          FetchError.PROTOCOL,
          where()
              + " answered "
              + grant.doing
              + " with more than "
              + MAX_ANSWER
              + " bytes, far more than a token answer: it is not an OAuth token endpoint, or it is broken");
    }
    int status = resp.statusCode();
    Map<String, Object> json = TokenJson.object(answer);
    if (status == 200) {
      return success(json, status, grant);
    }
    throw TokenErrors.refusal(
        endpoints, where(), status, json, grant == Grant.REFRESH, clientSecret != null);
  }

  private TokenResponse success(Map<String, Object> json, int status, Grant grant)
      throws FetchException {
    Object token = json == null ? null : json.get("access_token");
    if (!(token instanceof String) || ((String) token).isEmpty()) {
      throw new FetchException(
          FetchError.PROTOCOL,
          where()
              + " answered "
              + grant.doing
              + " with status "
              + status
              + " but no access token"
              + (json == null ? " (not a JSON object)" : ""));
    }
    Object type = json.get("token_type");
    if (type instanceof String && !"bearer".equalsIgnoreCase((String) type)) {
      throw new FetchException(
          FetchError.PROTOCOL,
          where()
              + " gave a token of type \""
              + FetchException.escape((String) type)
              + "\", and mail servers and Gmail take Bearer tokens only");
    }
    long expires = -1;
    Object e = json.get("expires_in");
    if (e instanceof Number) {
      expires = ((Number) e).longValue();
    } else if (e instanceof String) {
      try {
        expires = Long.parseLong((String) e); // some providers quote it
      } catch (NumberFormatException x) {
        expires = -1;
      }
    }
    Object rt = json.get("refresh_token");
    Object scope = json.get("scope");
    return new TokenResponse(
        (String) token,
        expires,
        rt instanceof String && !((String) rt).isEmpty() ? (String) rt : null,
        scope instanceof String ? (String) scope : null);
  }

  private FetchException network(IOException e, Grant grant) {
    String doing = grant.doing + " at " + endpoints.tokenEndpoint().getHost();
    Throwable c = e;
    for (int i = 0; c != null && i < 8; i++, c = c.getCause()) {
      if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
        return new FetchException(
            FetchError.HOST_NOT_FOUND,
            doing + ": the name " + endpoints.tokenEndpoint().getHost() + " could not be found",
            null,
            e,
            Remedy.of(
                "Check this machine's"
                    + " network and DNS (the token endpoint's name is fixed for Google and Microsoft); try again later."));
      }
    }
    if (e instanceof HttpConnectTimeoutException || e instanceof HttpTimeoutException) {
      return new FetchException(
          FetchError.CONNECTION_TIMED_OUT,
          doing + ": no answer within " + timeout.toSeconds() + " s",
          null,
          e,
          Remedy.of(
              "Check this machine's network (a firewall or proxy"
                  + " may hold back connections to "
                  + endpoints.tokenEndpoint().getHost()
                  + "); try again later."));
    }
    if (e instanceof ConnectException) {
      return new FetchException(
          FetchError.CONNECTION_REFUSED,
          doing + ": the connection was refused",
          null,
          e,
          Remedy.of("Check this machine's network and proxy settings; try again later."));
    }
    if (e instanceof SSLHandshakeException && hasCertificateCause(e)) {
      return new FetchException(
          FetchError.CERTIFICATE_INVALID,
          doing + ": its certificate could not be trusted",
          null,
          e,
          Remedy.of(
              "Something between this machine and "
                  + endpoints.tokenEndpoint().getHost()
                  + " presents a certificate Java does not trust (a company proxy?): give Java its CA"
                  + " (javax.net.ssl.trustStore), or use a network without it."));
    }
    if (e instanceof SSLException) {
      return new FetchException(
          FetchError.TLS_FAILED, doing + ": the secure connection could not be set up", e);
    }
    return new FetchException(
        FetchError.CONNECTION_RESET,
        doing + ": the connection broke before the answer" + " arrived",
        e);
  }

  private static boolean hasCertificateCause(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A JSON object's top-level strings and numbers; null when the bytes are not one. */
  static final class TokenJson {
    private TokenJson() {}

    static Map<String, Object> object(byte[] raw) {
      Map<String, Object> out = new LinkedHashMap<>();
      try (JsonParser p = TokenFileFormat.JSON.createParser(raw)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (v == JsonToken.VALUE_STRING) {
            out.put(name, p.getText());
          } else if (v == JsonToken.VALUE_NUMBER_INT) {
            out.put(name, p.getLongValue());
          } else {
            p.skipChildren();
          }
        }
        return t == JsonToken.END_OBJECT ? out : null;
      } catch (IOException e) {
        return null;
      }
    }
  }
}
