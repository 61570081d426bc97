/**
 * mailfetch's API: the SPIs a fetch is made of, the values they exchange, the error vocabulary, and
 * the protocol-independent engine {@link dev.mailfetch.api.Fetcher}.
 */
// The qualified export names a module compiled after this one, which javac warns of ("module").
@SuppressWarnings("module")
module dev.mailfetch.api {
  requires org.slf4j;
  requires java.naming;

  exports dev.mailfetch.api;
  // Flat helpers the other modules (and the command, on the class path) share with the engine, the
  // builder policy (Require) among them; not part of the API.
  exports dev.mailfetch.api.internal to
      dev.mailfetch.pop3,
      dev.mailfetch.dedup,
      dev.mailfetch.sink,
      dev.mailfetch.testkit,
      dev.mailfetch.gmail,
      dev.mailfetch.poll,
      dev.mailfetch.imap,
      dev.mailfetch.smtp,
      dev.mailfetch.jdbc;
  // SASL mechanisms for every protocol client and sink (POP3, IMAP, SMTP and LMTP); not API.
  exports dev.mailfetch.api.internal.sasl to
      dev.mailfetch.pop3,
      dev.mailfetch.imap,
      dev.mailfetch.smtp;
  // The one message spool and the one intent journal of the sinks into remote stores; not API.
  exports dev.mailfetch.api.internal.spool to
      dev.mailfetch.gmail,
      dev.mailfetch.imap,
      dev.mailfetch.smtp;
  exports dev.mailfetch.api.internal.journal to
      dev.mailfetch.gmail,
      dev.mailfetch.imap,
      dev.mailfetch.smtp;
  // The TLS handshake, PEM trust and the words of a failed handshake, for every protocol; not API.
  exports dev.mailfetch.api.internal.tls to
      dev.mailfetch.pop3,
      dev.mailfetch.imap,
      dev.mailfetch.smtp;
  // The doctors' DNS questions (addresses, RFC 6186 SRV records); not API.
  exports dev.mailfetch.api.internal.doctor to
      dev.mailfetch.pop3,
      dev.mailfetch.imap;
}
