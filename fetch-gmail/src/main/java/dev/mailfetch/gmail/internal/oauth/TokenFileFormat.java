package dev.mailfetch.gmail.internal.oauth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.api.Remedy;
import dev.mailfetch.gmail.OAuthEndpoints;
import dev.mailfetch.gmail.OAuthTokenFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The token file on disk: one JSON object, {@code "format": "mailfetch-oauth/1"}, field names as
 * RFC 6749 and RFC 8414 spell them. Unknown fields are ignored, so a later version may add some; a
 * later format is refused in words.
 */
public final class TokenFileFormat {
  public static final String FORMAT = "mailfetch-oauth/1";
  static final JsonFactory JSON = JsonFactory.builder().build();

  private static final String WHAT = "an OAuth refresh token";
  private static final Remedy MISSING =
      Remedy.of(
          "Authorize mailfetch first: mailfetch oauth writes this file (docs/oauth.md says how).",
          "Authorize first: OAuthAuthorization writes this file (docs/oauth.md says how).");

  private TokenFileFormat() {}

  public static void write(OAuthTokenFile f, Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      OAuthEndpoints e = f.endpoints();
      g.writeStringField("provider", e.provider().id());
      if (e.tenant().isPresent()) {
        g.writeStringField("tenant", e.tenant().get());
      }
      g.writeStringField("authorization_endpoint", e.authorizationEndpoint().toString());
      g.writeStringField("token_endpoint", e.tokenEndpoint().toString());
      g.writeStringField("client_id", f.clientId());
      if (f.clientSecret().isPresent()) {
        g.writeStringField("client_secret", f.clientSecret().get());
      }
      g.writeArrayFieldStart("scopes");
      for (String s : f.scopes()) {
        g.writeString(s);
      }
      g.writeEndArray();
      if (f.account().isPresent()) {
        g.writeStringField("account", f.account().get());
      }
      if (f.authorizedAt().isPresent()) {
        g.writeStringField("authorized_at", f.authorizedAt().get().toString());
      }
      g.writeStringField("refresh_token", f.refreshToken());
      g.writeEndObject();
    }
    out.write('\n');
    SecretFile.write(file, out.toByteArray());
  }

  public static OAuthTokenFile read(Path file) throws FetchException {
    byte[] raw = SecretFile.read(file, WHAT, OAuthTokenFile.MAX_BYTES, MISSING);
    Map<String, Object> fields = new HashMap<>();
    try (JsonParser p = JSON.createParser(raw)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad(file, "it is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_STRING) {
          fields.put(name, p.getText());
        } else if (v == JsonToken.START_ARRAY) {
          List<String> list = new ArrayList<>();
          while (p.nextToken() == JsonToken.VALUE_STRING) {
            list.add(p.getText());
          }
          if (p.currentToken() != JsonToken.END_ARRAY) {
            throw bad(file, "\"" + name + "\" is not a list of strings");
          }
          fields.put(name, list);
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw bad(file, "it is not one JSON object");
      }
    } catch (FetchException e) {
      throw e;
    } catch (IOException e) {
      // Jackson's message may quote the file's text, a secret among it: say where only.
      throw bad(file, "it is not valid JSON");
    }
    Object format = fields.get("format");
    if (!FORMAT.equals(format)) {
      throw bad(
          file,
          format == null
              ? "it has no \"format\": \"" + FORMAT + "\""
              : "its format is \""
                  + FetchException.escape(String.valueOf(format))
                  + "\", and this mailfetch reads \""
                  + FORMAT
                  + "\" (a newer mailfetch wrote it?)");
    }
    try {
      String provider = string(fields, "provider", file, true);
      URI auth = URI.create(string(fields, "authorization_endpoint", file, true));
      URI token = URI.create(string(fields, "token_endpoint", file, true));
      OAuthEndpoints e;
      switch (provider) {
        case "google":
          e = OAuthEndpoints.google().at(auth, token);
          break;
        case "microsoft":
          e = OAuthEndpoints.microsoft(string(fields, "tenant", file, true)).at(auth, token);
          break;
        case "other":
          e = OAuthEndpoints.of(auth, token);
          break;
        default:
          throw bad(
              file,
              "its provider \""
                  + FetchException.escape(provider)
                  + "\" is none of google, microsoft,"
                  + " other");
      }
      Object scopes = fields.getOrDefault("scopes", List.of());
      if (!(scopes instanceof List)) {
        throw bad(file, "\"scopes\" is not a list of strings");
      }
      @SuppressWarnings("unchecked")
      List<String> scopeList = (List<String>) scopes;
      String at = string(fields, "authorized_at", file, false);
      return OAuthTokenFile.builder()
          .endpoints(e)
          .clientId(string(fields, "client_id", file, true))
          .clientSecret(string(fields, "client_secret", file, false))
          .scopes(scopeList)
          .account(string(fields, "account", file, false))
          .authorizedAt(at == null ? null : Instant.parse(at))
          .refreshToken(string(fields, "refresh_token", file, true))
          .build();
    } catch (DateTimeParseException x) {
      throw bad(file, "\"authorized_at\" is not a time such as 2026-12-06T08:00:00Z");
    } catch (IllegalArgumentException x) {
      // Our own words (a blank field, a bad endpoint, a bad tenant): they quote no secret.
      throw bad(file, x.getMessage());
    }
  }

  private static String string(Map<String, Object> fields, String name, Path file, boolean required)
      throws FetchException {
    Object v = fields.get(name);
    if (v == null) {
      if (required) {
        throw bad(file, "it has no \"" + name + "\"");
      }
      return null;
    }
    if (!(v instanceof String)) {
      throw bad(file, "\"" + name + "\" is not a string");
    }
    return (String) v;
  }

  private static FetchException bad(Path file, String why) {
    return new FetchException(
        FetchError.CONFIGURATION,
        file + " is not a usable mailfetch token file: " + why,
        null,
        null,
        Remedy.of(
            "Authorize again with mailfetch oauth, which writes the file afresh (the old one"
                + " can be moved aside first).",
            "Authorize again (OAuthAuthorization), which writes the file afresh."));
  }
}
