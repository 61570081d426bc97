package dev.mailfetch.gmail.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Gmail API's JSON, through jackson-core's streaming parser and generator: an answer (always
 * small: a message's id and labels, a label list, an error) is read into plain maps and lists, to a
 * depth of 32; requests are written field by field.
 */
final class Json {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final int MAX_DEPTH = 32;

  private Json() {}

  /** The answer's top-level object; an empty map for a body that is not a JSON object. */
  static Map<String, Object> object(byte[] body) {
    if (body == null || body.length == 0) {
      return Map.of();
    }
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Map.of();
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) value(p, 0);
      return m;
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static Object value(JsonParser p, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("JSON nested too deep");
    }
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, value(p, depth + 1));
          }
          return m;
        }
      case START_ARRAY:
        {
          List<Object> l = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            l.add(value(p, depth + 1));
          }
          return l;
        }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getNumberValue();
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

  /** The string at {@code field}, if it is one. */
  static Optional<String> string(Map<String, Object> o, String field) {
    Object v = o.get(field);
    return v instanceof String ? Optional.of((String) v) : Optional.empty();
  }

  /** The object at {@code field}, or an empty map. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> o, String field) {
    Object v = o.get(field);
    return v instanceof Map ? (Map<String, Object>) v : Map.of();
  }

  /** The objects of the array at {@code field} (others skipped), or none. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> objects(Map<String, Object> o, String field) {
    Object v = o.get(field);
    List<Map<String, Object>> out = new ArrayList<>();
    if (v instanceof List) {
      for (Object e : (List<Object>) v) {
        if (e instanceof Map) {
          out.add((Map<String, Object>) e);
        }
      }
    }
    return out;
  }

  /** The strings of the array at {@code field} (others skipped), or none. */
  @SuppressWarnings("unchecked")
  static List<String> strings(Map<String, Object> o, String field) {
    Object v = o.get(field);
    List<String> out = new ArrayList<>();
    if (v instanceof List) {
      for (Object e : (List<Object>) v) {
        if (e instanceof String) {
          out.add((String) e);
        }
      }
    }
    return out;
  }

  /** {@code {"field": ["a", "b"]}}. */
  static byte[] stringArray(String field, Collection<String> values) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart(field);
          for (String v : values) {
            g.writeString(v);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** A new label, shown in the label list and the message list. */
  static byte[] newLabel(String name) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("name", name);
          g.writeStringField("labelListVisibility", "labelShow");
          g.writeStringField("messageListVisibility", "show");
          g.writeEndObject();
        });
  }

  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Writer w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return out.toByteArray();
  }
}
