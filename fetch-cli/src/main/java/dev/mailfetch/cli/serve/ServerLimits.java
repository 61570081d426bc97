package dev.mailfetch.cli.serve;

/**
 * The bounds the JDK's HTTP server takes from system properties, read once when its first server is
 * made: a -D on the java command line wins. The site checks sizes again itself ({@link
 * SortingOffice}), since another part of the same JVM may have made a server first.
 */
final class ServerLimits {
  private ServerLimits() {}

  /** Connections open at once. */
  static final int MAX_CONNECTIONS = 64;

  /** Request headers, by number and by bytes. */
  static final int MAX_HEADERS = 64;

  static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Seconds to read a request, and to send an answer: a slow client is cut off. */
  static final int MAX_REQUEST_SECONDS = 10;

  static final int MAX_RESPONSE_SECONDS = 30;

  static void apply() {
    set("jdk.httpserver.maxConnections", MAX_CONNECTIONS);
    set("sun.net.httpserver.maxReqHeaders", MAX_HEADERS);
    set("sun.net.httpserver.maxReqHeaderSize", MAX_HEADER_BYTES);
    set("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    set("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
    set("sun.net.httpserver.maxIdleConnections", 16);
    // Without TCP_NODELAY every small answer (an account's page, /metrics, the probes) took 40 ms
    // or more: the JDK's server sends the headers as a segment of their own and the body after
    // them, which Nagle holds until the client's delayed ACK of the headers (docs/serve.md,
    // "Load").
    set("sun.net.httpserver.nodelay", "true");
  }

  private static void set(String property, int value) {
    set(property, Integer.toString(value));
  }

  private static void set(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
