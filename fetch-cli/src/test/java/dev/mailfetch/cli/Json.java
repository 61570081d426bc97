package dev.mailfetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's JSON output read back as maps, lists, strings, longs, booleans and nulls; exactly one
 * value.
 */
final class Json {
  private Json() {}

  /** The one JSON value in {@code text}; fails the test if there is not exactly one. */
  static Map<String, Object> object(String text) {
    try (JsonParser p = new JsonFactory().createParser(text.strip())) {
      JsonToken t = p.nextToken();
      assertEquals(JsonToken.START_OBJECT, t, "one JSON object: " + text);
      Map<String, Object> o = readObject(p);
      assertEquals(null, p.nextToken(), "nothing after the object: " + text);
      return o;
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static Map<String, Object> readObject(JsonParser p) throws IOException {
    Map<String, Object> o = new LinkedHashMap<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      p.nextToken();
      if (o.put(name, read(p)) != null) {
        throw new IOException("field " + name + " twice");
      }
    }
    return o;
  }

  private static Object read(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        return readObject(p);
      case START_ARRAY:
        List<Object> l = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          l.add(read(p));
        }
        return l;
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_TRUE:
      case VALUE_FALSE:
        return p.getBooleanValue();
      case VALUE_NULL:
        return null;
      default:
        return p.getText();
    }
  }
}
