package dev.mailfetch.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** The authorization-code flow of mailfetch oauth, through the library's flow. */
final class OAuthFlow {
  private OAuthFlow() {}

  static int run(OAuthCommand.Request r, PrintWriter out, CommandSpec spec) {
    throw new IllegalStateException("not wired yet");
  }
}
