package dev.mailfetch.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code dovecot.conf} of a {@link PrivateDovecot}: Dovecot 2.3's configuration language, one
 * listener per served protocol on loopback, everything else inside the instance's folder.
 */
final class DovecotConfig {
  /** The ports (0 where the protocol is not served) and the LMTP socket of one attempt to start. */
  record Ports(int pop3, int pop3s, int imap, int imaps, int lmtp, Path lmtpSocket) {}

  private DovecotConfig() {}

  static void write(
      Path folder,
      Set<PrivateDovecot.Service> services,
      Ports ports,
      int uid,
      boolean oauth2,
      PrivateDovecot.Saving saving)
      throws IOException {
    String f = folder.toString();
    StringBuilder protocols = new StringBuilder("pop3");
    if (services.contains(PrivateDovecot.Service.IMAP)) {
      protocols.append(" imap");
    }
    if (services.contains(PrivateDovecot.Service.LMTP)) {
      protocols.append(" lmtp");
    }
    List<String> lines =
        new ArrayList<>(
            List.of(
                "instance_name = mailfetch-test-" + ports.pop3(),
                "base_dir = " + f + "/base",
                "state_dir = " + f + "/state",
                "protocols = " + protocols,
                "listen = 127.0.0.1",
                "log_path = " + f + "/dovecot.log",
                "default_internal_user = dovecot",
                "default_login_user = dovenull",
                "first_valid_uid = " + uid,
                "last_valid_uid = " + uid,
                "ssl = yes",
                "ssl_cert = <" + f + "/tls/cert.pem",
                "ssl_key = <" + f + "/tls/key.pem",
                "ssl_dh = </usr/share/dovecot/dh.pem",
                "disable_plaintext_auth = no",
                "auth_mechanisms = plain login cram-md5" + (oauth2 ? " xoauth2 oauthbearer" : ""),
                // An LMTP recipient alice@localhost is the user alice (the domain is dropped before
                // the passdb and userdb lookups), as a login alice@localhost is.
                "auth_username_format = %n"));
    if (saving == PrivateDovecot.Saving.NO_FSYNC) {
      lines.add("mail_fsync = never");
      lines.add("maildir_very_dirty_syncs = yes");
    }
    if (oauth2) {
      lines.add(
          "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = "
              + f
              + "/dovecot-oauth2.conf.ext\n}");
    }
    lines.addAll(
        List.of(
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN username_format=%u " + f + "/users.passwd",
            "}",
            "userdb {",
            "  driver = passwd-file",
            "  args = username_format=%u " + f + "/users.passwd",
            "}",
            "mail_location = maildir:" + f + "/mail/%u/Maildir",
            "service pop3-login {",
            "  inet_listener pop3 {",
            "    address = 127.0.0.1",
            "    port = " + ports.pop3(),
            "  }",
            "  inet_listener pop3s {",
            "    address = 127.0.0.1",
            "    port = " + ports.pop3s(),
            "    ssl = yes",
            "  }",
            "}",
            "service pop3 {",
            "  process_limit = 64",
            "}"));
    if (services.contains(PrivateDovecot.Service.IMAP)) {
      lines.addAll(
          List.of(
              "service imap-login {",
              "  inet_listener imap {",
              "    address = 127.0.0.1",
              "    port = " + ports.imap(),
              "  }",
              "  inet_listener imaps {",
              "    address = 127.0.0.1",
              "    port = " + ports.imaps(),
              "    ssl = yes",
              "  }",
              "}",
              "service imap {",
              "  process_limit = 64",
              "}",
              // The special uses of Dovecot's example config (conf.d/15-mailboxes.conf), shown in
              // LIST (RFC 6154) for the folders that exist; none is created.
              "namespace inbox {",
              "  inbox = yes",
              "  mailbox Drafts {",
              "    special_use = \\Drafts",
              "  }",
              "  mailbox Junk {",
              "    special_use = \\Junk",
              "  }",
              "  mailbox Trash {",
              "    special_use = \\Trash",
              "  }",
              "  mailbox Sent {",
              "    special_use = \\Sent",
              "  }",
              "  mailbox \"Sent Messages\" {",
              "    special_use = \\Sent",
              "  }",
              "}",
              // A crash test's killed clients and a benchmark's parallel ones log in many times.
              "protocol imap {",
              "  mail_max_userip_connections = 200",
              "}"));
    }
    if (services.contains(PrivateDovecot.Service.LMTP)) {
      lines.addAll(
          List.of(
              "service lmtp {",
              "  process_limit = 64",
              "  inet_listener lmtp {",
              "    address = 127.0.0.1",
              "    port = " + ports.lmtp(),
              "  }",
              "  unix_listener " + ports.lmtpSocket() + " {",
              "    mode = 0666",
              "  }",
              "}",
              // Dovecot still prepends Return-Path (PrivateDovecot.withoutReturnPath removes it);
              // a Received line (with a time in it) and a Delivered-To line would make a stored
              // message differ from the one delivered in more ways than one.
              "protocol lmtp {",
              "  lmtp_add_received_header = no",
              "  lmtp_hdr_delivery_address = none",
              "}"));
    }
    lines.addAll(
        List.of(
            "service anvil {",
            "  unix_listener anvil-auth-penalty {",
            "    mode = 0",
            "  }",
            "}",
            ""));
    Files.writeString(folder.resolve("dovecot.conf"), String.join("\n", lines));
  }
}
