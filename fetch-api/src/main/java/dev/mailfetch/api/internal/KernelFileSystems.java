package dev.mailfetch.api.internal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * File systems the kernel makes up (/proc, /sys, /dev and the like): nothing kept there is on a
 * disk, so neither mail nor a record of fetched mail may go there. One list for the sinks and the
 * state, so that a place is refused in the same words whichever it is given for.
 */
public final class KernelFileSystems {
  /** By the type {@link FileStore#type()} gives, and what each is. */
  private static final Map<String, String> NOT_A_DISK =
      Map.ofEntries(
          Map.entry("proc", "the kernel's view of itself"),
          Map.entry("sysfs", "the kernel's view of its devices"),
          Map.entry("devtmpfs", "the system's devices"),
          Map.entry("devpts", "the system's terminals"),
          Map.entry("cgroup", "the kernel's process groups"),
          Map.entry("cgroup2", "the kernel's process groups"),
          Map.entry("debugfs", "the kernel's debugging view"),
          Map.entry("tracefs", "the kernel's tracing view"),
          Map.entry("securityfs", "the kernel's security modules"),
          Map.entry("configfs", "the kernel's configuration"),
          Map.entry("pstore", "the kernel's crash records"),
          Map.entry("bpf", "the kernel's BPF objects"),
          Map.entry("efivarfs", "the firmware's variables"),
          Map.entry("mqueue", "the kernel's message queues"),
          Map.entry("binfmt_misc", "the kernel's program formats"),
          Map.entry("nsfs", "the kernel's namespaces"),
          Map.entry("fusectl", "the kernel's FUSE controls"));

  private KernelFileSystems() {}

  /**
   * Where {@code place}, or the nearest of its parents that exists, is on a file system the kernel
   * makes up: that file system in words ("a proc file system (the kernel's view of itself)"); else
   * empty, also where the file system cannot be told (opening then says what is wrong, if
   * anything).
   */
  public static Optional<String> holding(Path place) {
    Path existing = place.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String type;
    try {
      type = existing == null ? null : Files.getFileStore(existing).type();
    } catch (IOException unknown) {
      return Optional.empty();
    }
    String kind = type == null ? null : NOT_A_DISK.get(type.toLowerCase(Locale.ROOT));
    return kind == null
        ? Optional.empty()
        : Optional.of("a " + type + " file system (" + kind + ")");
  }
}
