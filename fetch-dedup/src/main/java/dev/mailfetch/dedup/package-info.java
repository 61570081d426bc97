/**
 * Durable {@link dev.mailfetch.api.UidStore}s, {@link dev.mailfetch.api.DedupPolicy}s chosen by
 * name, and {@link dev.mailfetch.api.LabelPolicy}s with rules on headers.
 */
package dev.mailfetch.dedup;
