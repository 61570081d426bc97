package dev.mailfetch.gmail.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One HTTP exchange bounded as a whole: in JDK 17 {@link HttpRequest#timeout()} ends when the
 * answer's headers arrive, so an answer that stalls after them would block a plain {@code send}
 * forever. Here the request, the headers and the body together get {@code limit}; the body is read
 * into memory up to {@code maxBody} bytes (more is cut off and the connection dropped). Past the
 * limit the exchange is cancelled and an {@link HttpTimeoutException} says so.
 */
public final class BoundedExchange {
  private BoundedExchange() {}

  /** An answer read whole (or up to the cap). */
  public record Reply(HttpResponse<byte[]> response, boolean truncated) {}

  /** Sends {@code request} and reads its answer, all within {@code limit}. */
  public static Reply send(HttpClient http, HttpRequest request, Duration limit, int maxBody)
      throws IOException {
    AtomicReference<Capped> body = new AtomicReference<>();
    CompletableFuture<HttpResponse<byte[]>> f =
        http.sendAsync(
            request,
            info -> {
              Capped c = new Capped(maxBody);
              body.set(c);
              return c;
            });
    try {
      HttpResponse<byte[]> r = f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
      Capped c = body.get();
      return new Reply(r, c != null && c.truncated);
    } catch (TimeoutException e) {
      f.cancel(true);
      Capped c = body.get();
      if (c != null) {
        c.abort();
      }
      throw new HttpTimeoutException(
          "no whole answer within "
              + words(limit)
              + (c == null ? "" : " (the headers came, the rest did not)"));
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for an answer");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException) {
        throw (IOException) c; // its own kind: a refused connection, a header timeout, a reset
      }
      throw new IOException(String.valueOf(c), c);
    }
  }

  private static String words(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /**
   * Collects the body up to a cap; past it, cancels the subscription (the connection is dropped).
   */
  private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    volatile boolean truncated;

    Capped(int max) {
      this.max = max;
    }

    void abort() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      result.completeExceptionally(new HttpTimeoutException("abandoned"));
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      synchronized (out) {
        for (ByteBuffer b : items) {
          int room = max - out.size();
          int n = Math.min(room, b.remaining());
          if (n > 0) {
            byte[] a = new byte[n];
            b.get(a);
            out.write(a, 0, n);
          }
          if (b.hasRemaining()) {
            truncated = true;
          }
        }
        if (truncated) {
          subscription.cancel();
          result.complete(out.toByteArray());
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      synchronized (out) {
        result.complete(out.toByteArray());
      }
    }
  }
}
