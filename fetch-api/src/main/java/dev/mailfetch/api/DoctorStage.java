package dev.mailfetch.api;

/**
 * A stage of a fetch that a doctor examines (name resolution, connection, encryption, …): each
 * doctor's stages are an enum of its own that implements this, so that a {@link DoctorReport} names
 * them alike.
 */
public interface DoctorStage {
  /** The stage's stable name ({@code DNS}, {@code TLS}), as the doctor's JSON gives it. */
  String name();

  /** The stage in words, as the report shows it ("name resolution"). */
  String title();
}
