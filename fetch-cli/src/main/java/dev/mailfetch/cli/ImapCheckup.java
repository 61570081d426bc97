package dev.mailfetch.cli;

import dev.mailfetch.imap.ImapDoctor;
import dev.mailfetch.pop3.Security;
import java.io.PrintWriter;
import picocli.CommandLine.ParameterException;

/**
 * {@code mailfetch doctor imaps://user@host[/FOLDER]} (or {@code imap://}, or {@code imap:ADDRESS}
 * to find the domain's IMAP server by its RFC 6186 SRV records): the IMAP doctor ({@link
 * ImapDoctor}) with the settings a fetch of that URL would use, printed as the POP3 doctor's report
 * is, or as the same JSON object (docs/doctor.md).
 */
final class ImapCheckup {
  private ImapCheckup() {}

  static int run(DoctorCommand d) throws Exception {
    if (d.deep || d.ports != null) {
      throw bad(
          d,
          (d.deep ? "--deep" : "--ports")
              + " is for POP3 accounts; the IMAP doctor reads no message and tries the port given");
    }
    String t = d.target;
    boolean address = !t.contains("://");
    ServerOptions.Account a;
    String urlFolder = null;
    if (address) {
      String addr = t.substring(t.indexOf(':') + 1);
      int at = addr.lastIndexOf('@');
      if (at <= 0 || at == addr.length() - 1) {
        throw bad(
            d,
            "\""
                + t
                + "\" is neither an IMAP URL (imaps://user@host) nor imap: and an e-mail address"
                + " (imap:user@domain)");
      }
      a = new ServerOptions.Account(addr, addr.substring(at + 1), 993, Security.IMPLICIT_TLS, true);
    } else {
      a = d.server.account(t, d.spec);
      try {
        urlFolder = AccountUrl.parse(t).folder();
      } catch (IllegalArgumentException e) {
        throw bad(d, e.getMessage());
      }
    }
    ImapDoctor.Builder b = ImapAccount.doctor(d.server, d.imap, a, d.env, d.spec, urlFolder);
    b.discoverServer(address);
    if (d.dns != null) {
      b.dnsServer(d.dnsServer());
    }
    int at = a.user().lastIndexOf('@');
    if (!address && at > 0 && at < a.user().length() - 1) {
      b.srvDomain(a.user().substring(at + 1)); // does the user's domain publish another server?
    }
    PrintWriter out = d.spec.commandLine().getOut();
    if (!d.json) {
      out.println(
          "Examining "
              + (address ? "the IMAP server of " + a.host() : a.host() + ":" + a.port())
              + "...");
      out.flush();
    }
    return DoctorCommand.show(out, d.json, b.build().examine());
  }

  private static ParameterException bad(DoctorCommand d, String message) {
    return new ParameterException(d.spec.commandLine(), message);
  }
}
