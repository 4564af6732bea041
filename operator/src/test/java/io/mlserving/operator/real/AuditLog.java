package io.mlserving.operator.real;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The kube-apiserver's audit log (JSON lines, level Metadata): who sent which request with which answer,
 * read from a {@link Mark} on, to count a client's writes and refusals.
 */
public final class AuditLog {
  /** Verbs that change something. */
  public static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  AuditLog(Path file) {
    this.file = file;
  }

  /** A position in the log: everything after it happened later. */
  public record Mark(long offset, Instant at) {
    /** The start of the log. */
    public static final Mark START = new Mark(0, Instant.EPOCH);
  }

  /** One completed request; {@code received} is when the server got it, {@code time} when it answered. */
  public record Entry(Instant time, String user, String userAgent, String verb, String apiGroup, String apiVersion,
      String resource, String subresource, String namespace, String name, int code, String uri,
      String authorization, Instant received) {
    public boolean isWrite() {
      return WRITE_VERBS.contains(verb);
    }

    /** The server's time for the request (received to answered), in milliseconds. */
    public double latencyMs() {
      return received == null ? Double.NaN : java.time.Duration.between(received, time).toNanos() / 1e6;
    }

    /** {@code resource/subresource}, or just the resource. */
    public String fullResource() {
      return subresource == null ? resource : resource + "/" + subresource;
    }

    /** Whether RBAC refused it (a 403 may also come from admission, e.g. a namespace being terminated). */
    public boolean refusedByRbac() {
      return "forbid".equals(authorization);
    }

    @Override
    public String toString() {
      return time + " " + user + " " + verb + " " + uri + " -> " + code
          + (code == 403 ? " (authorization: " + authorization + ")" : "");
    }
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** The end of the log now. */
  public Mark mark() {
    try {
      return new Mark(Files.exists(file) ? Files.size(file) : 0, Instant.now());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every completed request after {@code since} (stage ResponseComplete; a watch counts once it ends). */
  public List<Entry> entries(Mark since) {
    return read(since).entries();
  }

  /** What {@link #read} found: the entries, and the mark just after the last complete line read. */
  public record Read(List<Entry> entries, Mark next) {}

  /**
   * As {@link #entries}, with the mark to read on from next time: a poller that reads only what was appended
   * since its previous read (the log of a burst is megabytes).
   */
  public Read read(Mark since) {
    List<Entry> entries = new ArrayList<>();
    if (!Files.exists(file)) {
      return new Read(entries, since);
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      if (since.offset() >= length) {
        return new Read(entries, since);
      }
      byte[] bytes = new byte[Math.toIntExact(length - since.offset())];
      in.seek(since.offset());
      in.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      // The last line may still be being written: read only complete ones.
      int end = text.lastIndexOf('\n');
      for (String line : text.substring(0, Math.max(end, 0)).split("\n")) {
        if (!line.isBlank()) {
          parse(line).ifPresent(entries::add);
        }
      }
      long next = since.offset() + text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
      return new Read(entries, new Mark(next, Instant.now()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log " + file, e);
    }
  }

  private static java.util.Optional<Entry> parse(String line) {
    JsonNode e;
    try {
      e = JSON.readTree(line);
    } catch (IOException ex) {
      throw new UncheckedIOException("not an audit event: " + line, ex);
    }
    if (!"ResponseComplete".equals(e.path("stage").asText()) && !"Panic".equals(e.path("stage").asText())) {
      return java.util.Optional.empty();
    }
    JsonNode ref = e.path("objectRef");
    return java.util.Optional.of(new Entry(
        Instant.parse(e.path("stageTimestamp").asText(e.path("requestReceivedTimestamp").asText())),
        e.path("user").path("username").asText(),
        text(e, "userAgent"),
        e.path("verb").asText(),
        text(ref, "apiGroup"),
        text(ref, "apiVersion"),
        text(ref, "resource"),
        text(ref, "subresource"),
        text(ref, "namespace"),
        text(ref, "name"),
        e.path("responseStatus").path("code").asInt(0),
        e.path("requestURI").asText(),
        text(e.path("annotations"), "authorization.k8s.io/decision"),
        e.hasNonNull("requestReceivedTimestamp") ? Instant.parse(e.path("requestReceivedTimestamp").asText()) : null));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The requests of {@code user} after {@code since}. */
  public List<Entry> by(String user, Mark since) {
    return entries(since).stream().filter(e -> user.equals(e.user())).toList();
  }

  /** The writes (create, update, patch, delete) of {@code user} after {@code since}. */
  public List<Entry> writes(String user, Mark since) {
    return by(user, since).stream().filter(Entry::isWrite).toList();
  }

  /**
   * The requests of {@code user} after {@code since} that RBAC refused (403 with the decision forbid). A 403 from
   * admission (a write into a namespace being terminated, left over by an earlier class) is not a missing rule.
   */
  public List<Entry> refusedByRbac(String user, Mark since) {
    return by(user, since).stream().filter(e -> e.code() == 403 && e.refusedByRbac()).toList();
  }

  /** The requests of {@code user} answered 403 Forbidden after {@code since}. */
  public List<Entry> forbidden(String user, Mark since) {
    return by(user, since).stream().filter(e -> e.code() == 403).toList();
  }

  /** Counts of {@code entries} by {@code key} (verb, resource, code...), sorted by key. */
  public static Map<String, Long> countBy(List<Entry> entries, Function<Entry, ?> key) {
    return entries.stream().collect(Collectors.groupingBy(e -> String.valueOf(key.apply(e)), TreeMap::new,
        Collectors.counting()));
  }

  /** Counts of {@code user}'s requests after {@code since} that {@code filter} keeps, by verb and resource. */
  public Map<String, Long> count(String user, Mark since, Predicate<Entry> filter) {
    return countBy(by(user, since).stream().filter(filter).toList(), e -> e.verb() + " " + e.fullResource());
  }

  /** The entries, one a line, for an assertion message (at most {@code max}, then how many more). */
  public static String describe(List<Entry> entries, int max) {
    String listed = entries.stream().limit(max).map(e -> "  " + e).collect(Collectors.joining("\n"));
    return entries.size() <= max ? listed : listed + "\n  ... and " + (entries.size() - max) + " more";
  }

  /** The entries, one a line (at most 50). */
  public static String describe(List<Entry> entries) {
    return describe(entries, 50);
  }
}
