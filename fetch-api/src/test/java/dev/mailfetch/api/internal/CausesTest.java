package dev.mailfetch.api.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CausesTest {
  static final class Marked extends FetchException {
    private static final long serialVersionUID = 1L;

    Marked() {
      super(FetchError.AUTH_FAILED, "refused (test)");
    }
  }

  @Test
  void aMarkedFailure_isFoundBehindTheWordsThatPutItInContext() {
    Marked first = new Marked();
    FetchException said = first.inContext("logging in").withConsequence("the run stops", null);
    assertSame(first, Causes.find(said, Marked.class).orElseThrow());
    assertSame(said, Causes.find(said, FetchException.class).orElseThrow(), "itself first");
  }

  @Test
  void aChainWithoutTheType_orNone_findsNothing() {
    assertEquals(Optional.empty(), Causes.find(new IOException(new IOException()), Marked.class));
    assertTrue(Causes.find(null, Marked.class).isEmpty());
  }
}
