package dev.mailfetch.smtp;

/** {@link LmtpDovecotContract} over TCP on loopback. */
class LmtpSinkTcpContractTest extends LmtpDovecotContract {
  @Override
  LmtpSink.Builder server(LmtpSink.Builder b) {
    return b.host("127.0.0.1").port(dovecot.lmtpPort());
  }
}
