package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FetchListener#messageReceived}: each message is heard as soon as its bytes are whole,
 * before its batch's durability barrier, so that a progress bar moves with each message and not
 * only with each batch; its outcome still comes after the barrier.
 */
class MessageReceivedTest {
  @Test
  void eachMessageIsHeardWhenItsBytesAreWhole_beforeTheBarrier_andFinishedAfterIt() {
    Rig rig = new Rig().withMessages(5);
    List<String> ev = rig.events;
    FetchListener heard =
        new FetchListener() {
          @Override
          public void messageReceived(MessageRef ref, long octets) {
            ev.add("received " + ref.uid() + " " + octets);
          }

          @Override
          public void messageFinished(MessageOutcome outcome) {
            ev.add("finished " + outcome.ref().uid());
          }
        };
    FetchResult r = rig.fetcher(b -> b.listener(heard)).run();
    assertTrue(r.ok(), r.summary());
    int barrier = ev.indexOf("sink.sync");
    assertTrue(barrier > 0, ev.toString());
    for (int i = 1; i <= 5; i++) {
      String uid = "m" + i;
      int received = -1;
      for (int at = 0; at < ev.size(); at++) {
        if (ev.get(at).startsWith("received " + uid + " ")) {
          assertEquals(-1, received, "heard once: " + ev);
          received = at;
        }
      }
      assertTrue(received >= 0 && received < barrier, uid + " heard before the barrier: " + ev);
      long octets = Long.parseLong(ev.get(received).substring(("received " + uid + " ").length()));
      assertEquals(Rig.message(i).length(), octets, uid + ": its bytes, as the sink got them");
      assertTrue(
          ev.indexOf("finished " + uid) > barrier, uid + " finished after the barrier: " + ev);
    }
    for (int i = 1; i < 5; i++) {
      assertTrue(
          ev.indexOf("complete m" + i)
              < ev.indexOf("received m" + (i + 1) + " " + Rig.message(i + 1).length()),
          "each heard as it arrives, not all at the end: " + ev);
    }
  }
}
