package io.mlserving.operator.testing;

import io.mlserving.operator.registry.ModelRegistry;
import io.mlserving.operator.registry.RegistryAnswer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory model registry for tests that are about the operator, not HTTP (MlflowStandIn is the HTTP one):
 * versions with their artifact URIs, aliases, an outage switch, and counts of each lookup. Thread-safe.
 */
public final class FakeModelRegistry implements ModelRegistry {
  private final Map<String, String> artifacts = new ConcurrentHashMap<>();
  private final Map<String, String> aliases = new ConcurrentHashMap<>();
  private final AtomicReference<String> outage = new AtomicReference<>();
  public final AtomicInteger aliasLookups = new AtomicInteger();
  public final AtomicInteger downloadLookups = new AtomicInteger();

  /** Registers version {@code version} of {@code name}, its files at {@code artifactUri}. */
  public FakeModelRegistry version(String name, String version, String artifactUri) {
    artifacts.put(name + "/" + version, artifactUri);
    return this;
  }

  /** Points {@code alias} of {@code name} at {@code version}. */
  public FakeModelRegistry alias(String name, String alias, String version) {
    aliases.put(name + "@" + alias, version);
    return this;
  }

  /** Deletes {@code alias} of {@code name}. */
  public void deleteAlias(String name, String alias) {
    aliases.remove(name + "@" + alias);
  }

  /** Every lookup from now on is Unavailable with {@code message}; null ends the outage. */
  public void outage(String message) {
    outage.set(message);
  }

  @Override
  public RegistryAnswer aliasVersion(String url, String name, String alias) {
    aliasLookups.incrementAndGet();
    if (outage.get() != null) {
      return new RegistryAnswer.Unavailable(outage.get());
    }
    String v = aliases.get(name + "@" + alias);
    return v == null ? new RegistryAnswer.NotFound("alias " + alias + " of model " + name + " not found at " + url)
        : new RegistryAnswer.Found(v);
  }

  @Override
  public RegistryAnswer downloadUri(String url, String name, String version) {
    downloadLookups.incrementAndGet();
    if (outage.get() != null) {
      return new RegistryAnswer.Unavailable(outage.get());
    }
    String a = artifacts.get(name + "/" + version);
    return a == null ? new RegistryAnswer.NotFound("version " + version + " of model " + name + " not found at " + url)
        : new RegistryAnswer.Found(a);
  }
}
