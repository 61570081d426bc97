package dev.mailfetch.api;

import java.time.Duration;
import java.util.List;

/** One stage of a {@link DoctorReport}: what was measured, and what was found. */
public interface DoctorStep {
  /** Which stage. */
  DoctorStage stage();

  /** The worst status among its findings, OK when it has none, or SKIPPED. */
  DoctorStatus doctorStatus();

  /** How long the stage took (zero when skipped). */
  Duration took();

  /** One line of what was measured ("pop.example.com → 192.0.2.10"). */
  String summary();

  /** What is wrong or worth knowing, most important first. */
  List<? extends DoctorFinding> findings();
}
