package dev.mailfetch.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An authorization's failure is told by its reason, through the failures that explain it. */
class OAuthFailureTest {
  private static OAuthFailure tooOpen() {
    return new OAuthFailure(
        OAuthFailure.Reason.FILE_TOO_OPEN,
        FetchError.CONFIGURATION,
        "permissions 0644 for f are too open",
        null,
        null);
  }

  @Test
  void theReason_isFoundOnTheFailure_andThroughItsContext() {
    assertEquals(Optional.of(OAuthFailure.Reason.FILE_TOO_OPEN), OAuthFailure.reasonOf(tooOpen()));
    assertEquals(
        Optional.of(OAuthFailure.Reason.FILE_TOO_OPEN),
        OAuthFailure.reasonOf(tooOpen().inContext("reading the grant")));
    FetchException repeated =
        new FetchException(FetchError.CONFIGURATION, "the failure then: ...", null, tooOpen());
    assertEquals(Optional.of(OAuthFailure.Reason.FILE_TOO_OPEN), OAuthFailure.reasonOf(repeated));
  }

  @Test
  void theSameWords_orAFailureOfAnotherCodeAroundIt_haveNoReason() {
    assertEquals(
        Optional.empty(),
        OAuthFailure.reasonOf(
            new FetchException(FetchError.CONFIGURATION, "permissions 0644 for f are too open")));
    assertEquals(
        Optional.empty(),
        OAuthFailure.reasonOf(new FetchException(FetchError.SINK_FAILED, "later", tooOpen())));
  }
}
