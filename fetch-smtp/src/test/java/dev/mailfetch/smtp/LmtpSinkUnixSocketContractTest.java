package dev.mailfetch.smtp;

/** {@link LmtpDovecotContract} over Dovecot's Unix domain socket. */
class LmtpSinkUnixSocketContractTest extends LmtpDovecotContract {
  @Override
  LmtpSink.Builder server(LmtpSink.Builder b) {
    return b.socket(dovecot.lmtpSocket());
  }
}
