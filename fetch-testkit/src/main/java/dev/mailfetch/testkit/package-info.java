/**
 * Test tools for code that fetches mail or stores it: {@code FakePop3Server} with the quirks and
 * hostile cases of docs/quirks.md by name, and the sink contract tests any {@link
 * dev.mailfetch.api.MessageSink} can extend.
 */
package dev.mailfetch.testkit;
