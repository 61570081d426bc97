package dev.mailfetch.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * An OAuth client as Google Cloud's console downloads it ({@code client_secret_….json}: {@code
 * {"installed":{"client_id":…,"client_secret":…}}}, or {@code "web"} for the other kind), or the
 * same two fields at the top. Read with the streaming parser; the secret is never said.
 */
final class ClientFile {
  private ClientFile() {}

  /**
   * {client id, client secret or null}, or a bad argument naming --client-file and what is wrong:
   * also a Google "Web application" client (mailfetch signs in as a Desktop app), and for {@code
   * microsoft} a Google client file.
   */
  static String[] read(CommandSpec spec, Path file, String provider) {
    String option = "--client-file " + file;
    if (Files.isDirectory(file)) {
      throw bad(spec, option + ": a directory, not the client's JSON file");
    }
    if (!Files.exists(file)) {
      throw bad(spec, option + ": no such file");
    }
    String id = null;
    String secret = null;
    String kind =
        null; // the top-level field Google's console wraps the client in: installed or web
    try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(file))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad(spec, option + ": not the JSON of an OAuth client (it holds no object)");
      }
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME
            && kind == null
            && p.getParsingContext().getParent() != null
            && p.getParsingContext().getParent().inRoot()
            && (p.currentName().equals("installed") || p.currentName().equals("web"))) {
          kind = p.currentName();
        }
        if (t == JsonToken.FIELD_NAME && p.nextToken() == JsonToken.VALUE_STRING) {
          if (p.currentName().equals("client_id")) {
            id = p.getText();
          } else if (p.currentName().equals("client_secret")) {
            secret = p.getText();
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw bad(
          spec,
          option
              + ": not JSON (line "
              + e.getLocation().getLineNr()
              + "); give the file Google Cloud's"
              + " console downloads for a Desktop app client");
    } catch (IOException e) {
      throw bad(spec, option + ": " + CreatedPlaces.why(e));
    }
    if (id == null || id.isBlank()) {
      throw bad(
          spec,
          option
              + ": holds no client_id; give the file Google Cloud's console downloads for a Desktop"
              + " app client (docs/gmail.md)");
    }
    boolean google = kind != null || id.strip().endsWith(".apps.googleusercontent.com");
    if (provider.equals("microsoft") && google) {
      throw bad(
          spec,
          option
              + ": a Google OAuth client; Microsoft signs in with an Entra app registration's"
              + " client id: give it with --client-id-env NAME (docs/oauth.md, \"Microsoft\")");
    }
    if ("web".equals(kind)) {
      throw bad(
          spec,
          option
              + ": a \"Web application\" client, whose sign-in cannot come back to this machine;"
              + " create a client of type \"Desktop app\" in Google Cloud's console (Clients, Create client) and give"
              + " the file it downloads (docs/oauth.md)");
    }
    return new String[] {id.strip(), secret == null || secret.isBlank() ? null : secret.strip()};
  }

  private static ParameterException bad(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
