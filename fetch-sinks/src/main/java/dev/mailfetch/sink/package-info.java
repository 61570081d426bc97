/**
 * {@link dev.mailfetch.api.MessageSink}s that write mail where Unix mail tools read it: each
 * idempotent by delivery key and durable at {@link dev.mailfetch.api.MessageSink#sync()}.
 */
package dev.mailfetch.sink;
