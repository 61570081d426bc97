package dev.mailfetch.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The forwarding bases pass every call on, the optional ones included: checked by reflection over
 * each interface's methods (so that a method added to an interface and not forwarded fails here),
 * then in real runs, with a layer that counts.
 */
class ForwardingTest {
  @Test
  void forwardingFetchSession_forwardsEveryMethod_argumentsAndAnswer() throws Exception {
    assertForwardsAll(FetchSession.class, d -> new ForwardingFetchSession(d) {});
  }

  @Test
  void forwardingMessageSink_forwardsEveryMethod_argumentsAndAnswer() throws Exception {
    assertForwardsAll(MessageSink.class, d -> new ForwardingMessageSink(d) {});
  }

  @Test
  void forwardingDelivery_forwardsEveryMethod_argumentsAndAnswer() throws Exception {
    assertForwardsAll(Delivery.class, d -> new ForwardingDelivery(d) {});
  }

  @Test
  @SuppressWarnings("ObjectToString") // the layer names its delegate as the delegate names itself
  void aForwardingLayer_needsADelegate_andNamesIt() {
    assertThrows(NullPointerException.class, () -> new ForwardingFetchSession(null) {});
    assertThrows(NullPointerException.class, () -> new ForwardingMessageSink(null) {});
    assertThrows(NullPointerException.class, () -> new ForwardingDelivery(null) {});
    InMemorySink inner = InMemorySink.create();
    ForwardingMessageSink layer = new ForwardingMessageSink(inner) {};
    assertSame(inner, layer.delegate());
    assertTrue(layer.toString().endsWith("(" + inner + ")"), layer.toString());
  }

  /** The Javadoc's example, in a real run: it counts, and the run is as without it. */
  @Test
  void aCountingLayerOverSessionAndSink_seesEveryMessage_andChangesNothing() {
    Rig plain = new Rig().withMessages(3);
    FetchResult without = plain.fetcher().run();

    Rig rig = new Rig().withMessages(3);
    List<CountingSession> sessions = new ArrayList<>();
    FetchSource counted =
        FetcherTest.wrapping(
            rig.mailbox.source(Rig.ACCOUNT),
            s -> {
              CountingSession c = new CountingSession(s);
              sessions.add(c);
              return c;
            });
    CountingSink sink = new CountingSink(rig.sink);
    FetchResult with =
        Fetcher.builder()
            .source(counted)
            .sink(sink)
            .uidStore(rig.store)
            .clock(rig.clock)
            .build()
            .run();

    assertEquals(kinds(without), kinds(with));
    assertEquals(plain.sink.inner.size(), rig.sink.inner.size());
    long expected = 0;
    for (int i = 1; i <= 3; i++) {
      expected += Rig.message(i).getBytes(StandardCharsets.US_ASCII).length;
    }
    assertEquals(1, sessions.size());
    assertEquals(3, sessions.get(0).messages);
    assertEquals(expected, sessions.get(0).bytes);
    assertEquals(3, sink.completed);
    assertEquals(expected, sink.written);
    assertTrue(sink.syncs >= 1, "the barrier passed through the layer");
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(
          plain.sink.inner.messages().get(i).content(), rig.sink.inner.messages().get(i).content());
    }
  }

  /** A layer passes the session's optional abilities on, as the session has them. */
  @Test
  void aLayer_passesTheAbilitiesOfTheSessionUnderIt() throws FetchException {
    Rig rig = new Rig().withMessages(1);
    rig.mailbox.headersAlone = true;
    try (FetchSession s = new ForwardingFetchSession(rig.mailbox.source(Rig.ACCOUNT).open()) {}) {
      assertTrue(s.headerReading().isPresent());
      assertEquals(Optional.empty(), s.retrievalMarks());
    }
    rig.mailbox.headersAlone = false;
    try (FetchSession s = new ForwardingFetchSession(rig.mailbox.source(Rig.ACCOUNT).open()) {}) {
      assertEquals(Optional.empty(), s.headerReading());
    }
  }

  private static List<MessageOutcome.Kind> kinds(FetchResult r) {
    List<MessageOutcome.Kind> kinds = new ArrayList<>();
    for (MessageOutcome o : r.outcomes()) {
      kinds.add(o.kind());
    }
    return kinds;
  }

  private static final class CountingSession extends ForwardingFetchSession {
    long messages;
    long bytes;

    CountingSession(FetchSession delegate) {
      super(delegate);
    }

    @Override
    public void retrieve(Retrieval request, MessageHandler handler) throws FetchException {
      super.retrieve(
          request,
          new MessageHandler() {
            @Override
            public void start(MessageRef ref) {
              handler.start(ref);
            }

            @Override
            public void data(ByteBuffer slice) {
              bytes += slice.remaining();
              handler.data(slice);
            }

            @Override
            public void end() {
              messages++;
              handler.end();
            }

            @Override
            public void failed(MessageRef ref, FetchException error) {
              handler.failed(ref, error);
            }
          });
    }
  }

  private static final class CountingSink extends ForwardingMessageSink {
    long written;
    int completed;
    int syncs;

    CountingSink(MessageSink delegate) {
      super(delegate);
    }

    @Override
    public Delivery begin(Envelope envelope) throws IOException {
      return new ForwardingDelivery(super.begin(envelope)) {
        @Override
        public void write(ByteBuffer bytes) throws IOException {
          written += bytes.remaining();
          super.write(bytes);
        }

        @Override
        public DeliveryReceipt complete(DeliveryKey key) throws IOException {
          completed++;
          return super.complete(key);
        }
      };
    }

    @Override
    public void sync() throws IOException {
      syncs++;
      super.sync();
    }
  }

  // ---------------------------------------------------------------- reflection

  /**
   * Calls each public instance method of {@code type} on a forwarding layer over a recording
   * delegate, and checks that the delegate got that call with the same arguments, and that the
   * layer answered what the delegate answered.
   */
  private static <T> void assertForwardsAll(Class<T> type, Function<T, T> layer) throws Exception {
    int checked = 0;
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Object answer = answerFor(m.getReturnType());
      List<Object[]> calls = new ArrayList<>();
      T delegate =
          type.cast(
              Proxy.newProxyInstance(
                  type.getClassLoader(),
                  new Class<?>[] {type},
                  (proxy, called, args) -> {
                    if (called.getDeclaringClass() == Object.class) {
                      switch (called.getName()) {
                        case "equals":
                          return proxy == args[0];
                        case "hashCode":
                          return System.identityHashCode(proxy);
                        default:
                          return "delegate";
                      }
                    }
                    calls.add(new Object[] {called.getName(), args == null ? new Object[0] : args});
                    return answer;
                  }));
      Object[] args = argumentsFor(m.getParameterTypes());
      Object got;
      try {
        got = m.invoke(layer.apply(delegate), args);
      } catch (InvocationTargetException e) {
        throw new AssertionError(m + " threw", e.getCause());
      }
      assertEquals(1, calls.size(), () -> m + " was not passed on once: " + calls.size());
      assertEquals(m.getName(), calls.get(0)[0], m::toString);
      Object[] passed = (Object[]) calls.get(0)[1];
      assertEquals(args.length, passed.length, m::toString);
      for (int i = 0; i < args.length; i++) {
        assertSame(args[i], passed[i], () -> m + ": argument passed on as it came");
      }
      if (m.getReturnType() != void.class) {
        assertEquals(answer, got, () -> m + ": the delegate's answer");
        if (!m.getReturnType().isPrimitive() && !m.getReturnType().isEnum()) {
          assertSame(answer, got, () -> m + ": the delegate's answer itself");
        }
      }
      checked++;
    }
    assertTrue(checked >= 3, "methods checked: " + checked);
  }

  /** A distinct answer of each type the SPIs return. */
  private static Object answerFor(Class<?> type) {
    Map<Class<?>, Object> answers = new HashMap<>();
    answers.put(boolean.class, true);
    answers.put(String.class, "pop.test.invalid:995");
    answers.put(Optional.class, Optional.of(new Object()));
    answers.put(Set.class, new HashSet<>(List.of("x")));
    answers.put(List.class, new ArrayList<>(List.of("x")));
    answers.put(Capabilities.class, Capabilities.standard());
    answers.put(LineEnding.class, LineEnding.LF);
    answers.put(
        DeliveryReceipt.class, new DeliveryReceipt(DeliveryKey.of("a@b.invalid", "u1"), 3, false));
    if (type == void.class) {
      return null;
    }
    if (answers.containsKey(type)) {
      return answers.get(type);
    }
    if (type.isInterface()) {
      return placeholder(type);
    }
    throw new AssertionError("no answer of " + type + ": add one");
  }

  /** Distinct arguments: placeholders where the layer only passes them on. */
  private static Object[] argumentsFor(Class<?>[] types) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == ByteBuffer.class) {
        args[i] = ByteBuffer.allocate(3);
      } else if (t == Retrieval.class) {
        args[i] = Retrieval.of(List.of(new MessageRef(1, "u1", 10)));
      } else if (t == DeliveryKey.class) {
        args[i] = DeliveryKey.of("a@b.invalid", "u" + i);
      } else if (t == List.class) {
        args[i] = new ArrayList<>(List.of(new MessageRef(1, "u1", 10)));
      } else if (t == Set.class) {
        args[i] = new HashSet<>(List.of("Work"));
      } else if (t.isInterface()) {
        args[i] = placeholder(t);
      } else {
        args[i] = null; // a value the layer passes on untouched (an Envelope)
      }
    }
    return args;
  }

  /**
   * An implementation of {@code type} that is only passed around: it is itself, and does nothing.
   */
  private static Object placeholder(Class<?> type) {
    return Proxy.newProxyInstance(
        type.getClassLoader(),
        new Class<?>[] {type},
        (proxy, m, a) -> {
          switch (m.getName()) {
            case "equals":
              return proxy == a[0];
            case "hashCode":
              return System.identityHashCode(proxy);
            case "toString":
              return "placeholder " + type.getSimpleName();
            default:
              throw new UnsupportedOperationException("a placeholder " + type.getSimpleName());
          }
        });
  }
}
