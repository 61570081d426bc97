package dev.mailfetch.cli;

import picocli.CommandLine.ParameterException;

/** mailfetch doctor gmail:ADDRESS: the Gmail side of delivery, checked as the POP3 side is. */
final class GmailCheckup {
  private GmailCheckup() {}

  static int run(DoctorCommand d, String text) {
    String address;
    try {
      address = GmailOptions.address(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(d.spec.commandLine(), "gmail:" + text + ": " + e.getMessage());
    }
    throw new IllegalStateException("not wired yet: " + address);
  }
}
