package dev.mailfetch.pop3;

import dev.mailfetch.testkit.FakeMailbox;
import dev.mailfetch.testkit.FakePop3Server;
import dev.mailfetch.testkit.FetchSourceContract;
import java.util.ArrayList;
import java.util.List;

/** The POP3 source keeps the source contract, against the testkit's fake POP3 server. */
class Pop3SourceContractTest extends FetchSourceContract {
  @Override
  protected SourceUnderTest open(List<byte[]> messages) throws Exception {
    FakeMailbox mailbox = FakeMailbox.create();
    for (byte[] m : messages) {
      mailbox.add(m);
    }
    FakePop3Server server =
        FakePop3Server.builder().account("alice", "pw", mailbox).pipelining(true).start();
    Pop3Source source =
        Pop3Source.builder()
            .host(server.host())
            .port(server.port())
            .security(Security.NONE)
            .allowPlaintextAuthentication(true)
            .user("alice")
            .password(() -> "pw")
            .build();
    return SourceUnderTest.of(
        source,
        () -> {
          List<byte[]> left = new ArrayList<>();
          for (FakeMailbox.Message m : server.mailbox("alice").messages()) {
            left.add(m.content());
          }
          return left;
        },
        server::close);
  }
}
