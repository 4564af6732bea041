package io.mlserving.operator.registry;

/**
 * What a model registry said to one lookup: the value asked for, that the model, version or alias does not
 * exist, or that the registry could not be asked. Every message names the registry URL and what was looked up.
 */
public sealed interface RegistryAnswer {
  /** The value: a version (for an alias lookup) or an artifact URI (for a version lookup). */
  record Found(String value) implements RegistryAnswer {}

  /** The registry answered that the model, version or alias does not exist (or the request names it wrongly). */
  record NotFound(String message) implements RegistryAnswer {}

  /** No usable answer: unreachable, timed out, refused the credentials, failed, or answered something unreadable. */
  record Unavailable(String message) implements RegistryAnswer {}
}
