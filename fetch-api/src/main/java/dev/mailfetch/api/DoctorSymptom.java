package dev.mailfetch.api;

import java.util.List;
import java.util.Optional;

/**
 * Something a doctor can find, with the words it shows: each doctor's symptoms are an enum of its
 * own that implements this (docs/doctor.md lists them), so that a {@link DoctorReport} shows them
 * alike. Its wording is API: users and scripts read it.
 */
public interface DoctorSymptom {
  /** The symptom's stable name ({@code CERTIFICATE_EXPIRED}), as the doctor's JSON gives it. */
  String name();

  /** The stage it belongs to. */
  DoctorStage stage();

  /** A few words, as the report's heading. */
  String title();

  /** What it means, in words a person understands. */
  String cause();

  /**
   * What to do: the command's options for a person running {@code mailfetch doctor}, the builder
   * calls for a developer.
   */
  Remedy remedy();

  /** The RFC rules and server quirks (docs/quirks.md) it concerns, as the report shows them. */
  List<String> references();

  /** The error a fetch with the same settings stops with, for a symptom that stops it. */
  Optional<FetchError> error();
}
