package dev.mailfetch.imap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailfetch.api.FetchError;
import dev.mailfetch.api.FetchException;
import dev.mailfetch.imap.ImapLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses as the reader frames them and the parser reads them, with literals and caps. */
class ResponseParserTest {
  private static final long FAR = Long.MAX_VALUE / 2;

  private static ImapReader reader(String wire, ImapLimits limits) {
    return new ImapReader(
        millis -> {},
        new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)),
        limits,
        "imap.example.org:993");
  }

  private static ImapLine one(String wire) throws FetchException {
    return reader(wire, ImapLimits.defaults()).read(System.nanoTime() + FAR, null);
  }

  @Test
  void aTaggedReply_hasItsTagStatusCodeAndText() throws Exception {
    ImapLine l = one("A7 OK [APPENDUID 38505 3955] APPEND completed\r\n");
    assertEquals(ImapLine.Kind.TAGGED, l.kind());
    assertEquals("A7", l.tag());
    assertEquals("OK", l.name());
    assertEquals("APPENDUID", l.code().name());
    assertEquals(38505, l.code().appendUid().orElseThrow().uidValidity());
    assertEquals("3955", l.code().appendUid().orElseThrow().uids());
    assertEquals("APPEND completed", l.text());
  }

  @Test
  void untaggedResponses_areNamedAndNumbered() throws Exception {
    ImapLine exists = one("* 172 EXISTS\r\n");
    assertEquals(ImapLine.Kind.UNTAGGED, exists.kind());
    assertEquals("EXISTS", exists.name());
    assertEquals(172, exists.number());
    ImapLine search = one("* SEARCH 2 84 882\r\n");
    assertEquals("SEARCH", search.name());
    assertEquals(List.of("2", "84", "882"), search.tokens());
    ImapLine cont = one("+ Ready for literal data\r\n");
    assertEquals(ImapLine.Kind.CONTINUATION, cont.kind());
  }

  @Test
  void aList_withQuotedDelimiter_andALiteralName_isRead() throws Exception {
    ImapLine l = one("* LIST (\\HasNoChildren) \".\" {9}\r\nEntw\u00c3\u00bcrfe\r\n");
    List<Object> t = l.tokens();
    assertEquals(List.of("\\HasNoChildren"), t.get(0));
    assertEquals(".", t.get(1));
    assertEquals("Entw\u00fcrfe", t.get(2));
    ImapLine flat = one("* LIST (\\Noselect) NIL \"\"\r\n");
    assertNull(flat.tokens().get(1));
  }

  @Test
  void responseCodes_areParsedIntoAValue() throws Exception {
    assertEquals(
        List.of("IMAP4rev1", "LITERAL+", "AUTH=PLAIN"),
        one("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] ready\r\n").code().capabilities());
    assertEquals(
        3857529045L,
        one("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n").code().number().orElseThrow());
    assertTrue(one("A3 NO [TRYCREATE] no such mailbox\r\n").code().is("TRYCREATE"));
    assertTrue(one("A3 NO [OVERQUOTA] Quota exceeded\r\n").code().is("OVERQUOTA"));
    assertEquals("ALERT", one("* OK [ALERT] System shutdown in 10 minutes\r\n").code().name());
    assertNull(one("A1 OK done\r\n").code());
  }

  @Test
  void aLineWithoutEnd_isCutOffAtTheCap_withATypedError() {
    ImapLimits small = ImapLimits.builder().maxLineBytes(100).build();
    String endless = "* OK " + "x".repeat(10_000);
    FetchException e =
        assertThrows(
            FetchException.class, () -> reader(endless, small).read(System.nanoTime() + FAR, null));
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
    assertTrue(e.remedy().library().contains("maxLineBytes"), e.remedy().library());
  }

  @Test
  void aLiteralPastTheCap_isRefused_beforeItsBytesAreRead() {
    ImapLimits small = ImapLimits.builder().maxLiteralBytes(1000).build();
    FetchException e =
        assertThrows(
            FetchException.class,
            () ->
                reader("* 1 FETCH (BODY[] {5000000000}\r\n", small)
                    .read(System.nanoTime() + FAR, null));
    assertEquals(FetchError.LIMIT_EXCEEDED, e.error());
    assertTrue(e.getMessage().contains("5000000000"), e.getMessage());
  }

  @Test
  void aBodyLiteral_isStreamedToTheConsumer_inSlices_andOthersStayInline() throws Exception {
    byte[] body = "x".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
    String wire =
        "* 1 FETCH (UID 7 BODY[] {"
            + body.length
            + "}\r\n"
            + new String(body, StandardCharsets.ISO_8859_1)
            + " FLAGS (\\Seen))\r\n";
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int[] slices = {0};
    ImapLimits limits = ImapLimits.builder().maxLineBytes(1000).build();
    ImapLine l =
        reader(wire, limits)
            .read(
                System.nanoTime() + FAR,
                slice -> {
                  slices[0]++;
                  byte[] b = new byte[slice.remaining()];
                  slice.get(b);
                  got.writeBytes(b);
                });
    assertEquals(40_000, got.size());
    assertTrue(slices[0] > 1, "handed over in slices");
    assertEquals("FETCH", l.name());
    assertTrue(l.wire().endsWith("FLAGS (\\Seen))"), l.wire());
  }

  @Test
  void aDeadlinePassed_isATimeout_notAHang() {
    FetchException e =
        assertThrows(
            FetchException.class,
            () -> reader("* OK", ImapLimits.defaults()).read(System.nanoTime() - 1, null));
    assertEquals(FetchError.CONNECTION_TIMED_OUT, e.error());
  }

  @Test
  void theEndOfTheStream_isAConnectionReset() {
    FetchException e = assertThrows(FetchException.class, () -> one("* OK partial"));
    assertEquals(FetchError.CONNECTION_RESET, e.error());
    assertFalse(e.getMessage().contains("Exception"), e.getMessage());
  }
}
