package dev.mailfetch.testkit.gmail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fake's JSON, read and written with jackson-core's streaming API. */
final class Json {
  private static final JsonFactory FACTORY = new JsonFactory();

  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private Json() {}

  static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Parses a JSON document into maps, lists, strings, numbers, booleans and nulls.
   *
   * @throws IOException on malformed JSON
   */
  static Object parse(byte[] json) throws IOException {
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return null;
      }
      Object value = read(p, t);
      if (p.nextToken() != null) {
        throw new IOException("trailing content after the JSON value");
      }
      return value;
    }
  }

  /** A JSON object, or an empty map for an empty body; IOException for anything else. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(byte[] json) throws IOException {
    if (json.length == 0 || new String(json, StandardCharsets.UTF_8).isBlank()) {
      return Map.of();
    }
    Object value = parse(json);
    if (!(value instanceof Map)) {
      throw new IOException("expected a JSON object");
    }
    return (Map<String, Object>) value;
  }

  private static Object read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> map = new LinkedHashMap<>();
          for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
            String name = p.currentName();
            map.put(name, read(p, p.nextToken()));
          }
          return map;
        }
      case START_ARRAY:
        {
          List<Object> list = new ArrayList<>();
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            list.add(read(p, e));
          }
          return list;
        }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected JSON token " + t);
    }
  }

  /** The strings of a JSON array field, or null where absent; IOException where not strings. */
  static List<String> strings(Map<String, Object> object, String field) throws IOException {
    Object value = object.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof List)) {
      throw new IOException("'" + field + "' must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) value) {
      if (!(o instanceof String)) {
        throw new IOException("'" + field + "' must be an array of strings");
      }
      out.add((String) o);
    }
    return out;
  }
}
