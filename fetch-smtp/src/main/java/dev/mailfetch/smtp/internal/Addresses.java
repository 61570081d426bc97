package dev.mailfetch.smtp.internal;

import dev.mailfetch.api.internal.Require;
import java.nio.charset.StandardCharsets;

/** Mail addresses as the envelope carries them (RFC 5321 §4.1.2, RFC 6531 for UTF-8). */
final class Addresses {
  private Addresses() {}

  /**
   * {@code address}, if it can go between the angle brackets of MAIL FROM or RCPT TO: a local part,
   * an {@code @} and a domain, without space, angle bracket or control character.
   *
   * @throws IllegalArgumentException naming the setting and the address
   */
  static String check(String setting, String address) {
    Require.notEmpty(setting, address);
    int at = address.lastIndexOf('@');
    Require.requireArgument(
        at > 0 && at < address.length() - 1,
        "%s: %s is not a mail address (local-part@domain)",
        setting,
        address);
    Require.requireArgument(
        address.chars().noneMatch(c -> c <= ' ' || c == '<' || c == '>' || c == 0x7f),
        "%s: %s holds a space, an angle bracket or a control character",
        setting,
        address);
    return address;
  }

  /**
   * {@code recipient} of LMTP: a mail address, or a bare local part ({@code alice}), which an LMTP
   * server (Dovecot's, Cyrus's) takes as a user of its own (RFC 2033 delivers to local mailboxes).
   * SMTP needs the domain: a relay has no users of its own to resolve a bare name against.
   *
   * @throws IllegalArgumentException naming the setting and the recipient
   */
  static String checkLmtpRecipient(String setting, String recipient) {
    Require.notEmpty(setting, recipient);
    if (recipient.indexOf('@') >= 0) {
      return check(setting, recipient);
    }
    Require.requireArgument(
        recipient.chars().noneMatch(c -> c <= ' ' || c == '<' || c == '>' || c == 0x7f),
        "%s: %s holds a space, an angle bracket or a control character",
        setting,
        recipient);
    return recipient;
  }

  /** Whether the address needs SMTPUTF8 (RFC 6531): any byte outside ASCII. */
  static boolean needsUtf8(String address) {
    return address.getBytes(StandardCharsets.UTF_8).length != address.length();
  }

  /**
   * The address of the first {@code Return-Path} of a message's {@code header} block (ISO-8859-1:
   * one char a byte), empty for {@code <>}, null if none: the envelope sender a relay keeps.
   */
  static String returnPath(String header) {
    for (String line : header.split("\n", -1)) {
      if (line.isEmpty() || line.equals("\r")) {
        return null; // the end of the header section
      }
      if (line.regionMatches(true, 0, "Return-Path:", 0, 12)) {
        String v = line.substring(12).trim();
        int lt = v.indexOf('<');
        int gt = v.lastIndexOf('>');
        if (lt >= 0 && gt > lt) {
          v = v.substring(lt + 1, gt);
        }
        v = new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8).trim();
        if (v.isEmpty()) {
          return "";
        }
        try {
          return check("Return-Path", v);
        } catch (IllegalArgumentException e) {
          return null; // a header that is no address: the null sender, as for none
        }
      }
    }
    return null;
  }
}
