package io.mlserving.operator.real;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Plays the kubelet for a control plane that has none: marks every new pod (all namespaces) Running and Ready
 * through the status subresource, or, for the pods a rule selects, puts their {@code model-loader} init
 * container in CrashLoopBackOff with a termination message. Optionally after a delay per pod.
 *
 * <p>Pods are settled in parallel, {@value #WORKERS} at a time, as the kubelets of several nodes would: one at a
 * time, a burst of pods queued behind each other's status patch for seconds. A pod gets each outcome once, even
 * when a second event for it arrives before the first patch shows.
 */
public final class KubeletStandIn implements AutoCloseable {
  /** The init container the loader rule fails. */
  public static final String MODEL_LOADER = "model-loader";

  private final KubernetesClient client;
  private final List<Rule> crashLoops = new CopyOnWriteArrayList<>();
  private final List<Delay> delays = new CopyOnWriteArrayList<>();
  /** Pods (by uid) whose delay has been scheduled, so an update event does not schedule it twice. */
  private final Map<String, Boolean> delayed = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kubelet-stand-in");
    t.setDaemon(true);
    return t;
  });
  /** Status patches in flight at once. */
  static final int WORKERS = 8;
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "kubelet-stand-in-worker");
    t.setDaemon(true);
    return t;
  });
  /** The outcome last patched (or being patched) into each pod, by uid. */
  private final Map<String, String> sent = new ConcurrentHashMap<>();
  private final AtomicLong patches = new AtomicLong();
  private final SharedIndexInformer<Pod> informer;
  private final List<String> errors = new CopyOnWriteArrayList<>();

  private record Rule(Predicate<Pod> selects, String message) {}

  private record Delay(Predicate<Pod> selects, Duration delay) {}

  /** Starts the informer on pods of every namespace, with {@code client} (the admin's). */
  public KubeletStandIn(KubernetesClient client) {
    this.client = client;
    this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        handle(pod);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod pod) {
        handle(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        delayed.remove(pod.getMetadata().getUid());
        sent.remove(pod.getMetadata().getUid());
      }
    }, 0);
  }

  /**
   * Pods {@code selects} chooses (from now on, and those already there on their next event) get their
   * model-loader in CrashLoopBackOff: last terminated with exit code 1 and {@code terminationMessage}.
   */
  public KubeletStandIn crashLoopLoader(Predicate<Pod> selects, String terminationMessage) {
    crashLoops.add(new Rule(selects, terminationMessage));
    resync();
    return this;
  }

  /** Pods {@code selects} chooses get their status only {@code delay} after they appear. */
  public KubeletStandIn delay(Predicate<Pod> selects, Duration delay) {
    delays.add(new Delay(selects, delay));
    return this;
  }

  /** Forgets every rule and delay: new pods become Ready at once. */
  public KubeletStandIn clearRules() {
    crashLoops.clear();
    delays.clear();
    return this;
  }

  /** How many status patches it sent. */
  public long patches() {
    return patches.get();
  }

  /** Failed status patches (other than a pod deleted meanwhile), for assertion messages. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  /** Re-evaluates every cached pod (after a rule was added). */
  private void resync() {
    for (Pod pod : informer.getStore().list()) {
      handle(pod);
    }
  }

  private void handle(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    Optional<Delay> delay = delays.stream().filter(d -> d.selects().test(pod)).findFirst();
    if (delay.isPresent() && !delay.get().delay().isZero()) {
      String uid = pod.getMetadata().getUid();
      if (delayed.putIfAbsent(uid, Boolean.TRUE) == null) {
        scheduler.schedule(() -> {
          Pod current = informer.getStore().get(pod);
          if (current != null) {
            settle(current);
          }
        }, delay.get().delay().toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      if (!isDue(pod, delay.get().delay())) {
        return;
      }
    }
    settle(pod);
  }

  private static boolean isDue(Pod pod, Duration delay) {
    String created = pod.getMetadata().getCreationTimestamp();
    return created == null || !Instant.parse(created).plus(delay).isAfter(Instant.now());
  }

  /**
   * Patches the pod's status to what this kubelet would report (on a worker), unless it already says so or that
   * patch was already sent.
   */
  private void settle(Pod pod) {
    Optional<Rule> crash = crashLoops.stream().filter(r -> r.selects().test(pod)).findFirst();
    PodStatus want = crash.isPresent() ? crashLooping(pod, crash.get().message()) : running(pod);
    String uid = pod.getMetadata().getUid();
    if (sameOutcome(pod.getStatus(), want)) {
      sent.remove(uid);
      return;
    }
    String outcome = outcome(want);
    if (outcome.equals(sent.put(uid, outcome))) {
      return;
    }
    workers.execute(() -> patch(pod, want, uid, outcome));
  }

  private void patch(Pod pod, PodStatus want, String uid, String outcome) {
    try {
      // A JSON merge patch replaces the lists whole (conditions, container statuses), so a pod that goes from
      // crash-looping to running keeps no stale state; the kubelet's own strategic merge would merge them.
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", want)));
      patches.incrementAndGet();
    } catch (KubernetesClientException e) {
      // Not sent after all: the pod's next event tries again.
      sent.remove(uid, outcome);
      if (e.getCode() != 404) {
        errors.add(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + ": " + e.getMessage());
      }
    }
  }

  /** What {@link #sameOutcome} compares, as one string. */
  private static String outcome(PodStatus s) {
    return s.getPhase() + "/" + ready(s) + "/" + loaderWaiting(s);
  }

  /** Whether {@code have} already shows the phase and Ready state and loader state of {@code want}. */
  private static boolean sameOutcome(PodStatus have, PodStatus want) {
    if (have == null || !Objects.equals(have.getPhase(), want.getPhase())) {
      return false;
    }
    return Objects.equals(ready(have), ready(want)) && Objects.equals(loaderWaiting(have), loaderWaiting(want));
  }

  private static String ready(PodStatus s) {
    return s.getConditions() == null ? null : s.getConditions().stream().filter(c -> "Ready".equals(c.getType()))
        .map(PodCondition::getStatus).findFirst().orElse(null);
  }

  private static String loaderWaiting(PodStatus s) {
    return s.getInitContainerStatuses() == null ? null : s.getInitContainerStatuses().stream()
        .filter(c -> MODEL_LOADER.equals(c.getName()) && c.getState() != null && c.getState().getWaiting() != null)
        .map(c -> c.getState().getWaiting().getReason()).findFirst().orElse(null);
  }

  /** Phase Running, every condition True, init containers terminated with 0, containers running and ready. */
  static PodStatus running(Pod pod) {
    String now = now();
    List<ContainerStatus> init = new ArrayList<>();
    for (Container c : initContainers(pod)) {
      init.add(base(c).withReady(true).withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
          .withStartedAt(now).withFinishedAt(now).endTerminated().endState().build());
    }
    List<ContainerStatus> main = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      main.add(base(c).withReady(true).withStarted(true).withNewState().withNewRunning().withStartedAt(now)
          .endRunning().endState().build());
    }
    return new PodStatusBuilder()
        .withPhase("Running")
        .withHostIP("127.0.0.1")
        .withPodIP(podIp(pod))
        .withStartTime(now)
        .withConditions(condition("PodScheduled", "True", null, now), condition("Initialized", "True", null, now),
            condition("ContainersReady", "True", null, now), condition("Ready", "True", null, now))
        .withInitContainerStatuses(init)
        .withContainerStatuses(main)
        .build();
  }

  /**
   * Phase Pending; the model-loader waiting in CrashLoopBackOff after a run that ended with exit code 1 and
   * {@code message} (what a failing loader writes to its termination log); the containers PodInitializing.
   */
  static PodStatus crashLooping(Pod pod, String message) {
    String now = now();
    List<ContainerStatus> init = new ArrayList<>();
    for (Container c : initContainers(pod)) {
      if (MODEL_LOADER.equals(c.getName())) {
        init.add(base(c).withReady(false).withRestartCount(3)
            .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
              .withMessage("back-off 40s restarting failed container=" + c.getName() + " pod="
                  + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace())
            .endWaiting().endState()
            .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").withMessage(message)
              .withStartedAt(now).withFinishedAt(now).endTerminated().endLastState()
            .build());
      } else {
        init.add(base(c).withReady(true).withNewState().withNewTerminated().withExitCode(0).withReason("Completed")
            .withStartedAt(now).withFinishedAt(now).endTerminated().endState().build());
      }
    }
    List<ContainerStatus> main = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      main.add(base(c).withReady(false).withStarted(false).withNewState().withNewWaiting()
          .withReason("PodInitializing").endWaiting().endState().build());
    }
    String notInit = "containers with incomplete status: [" + MODEL_LOADER + "]";
    String notReady = "containers with unready status: ["
        + String.join(" ", pod.getSpec().getContainers().stream().map(Container::getName).toList()) + "]";
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withHostIP("127.0.0.1")
        .withPodIP(podIp(pod))
        .withStartTime(now)
        .withConditions(condition("PodScheduled", "True", null, now),
            condition("Initialized", "False", "ContainersNotInitialized", now, notInit),
            condition("ContainersReady", "False", "ContainersNotReady", now, notReady),
            condition("Ready", "False", "ContainersNotReady", now, notReady))
        .withInitContainerStatuses(init)
        .withContainerStatuses(main)
        .build();
  }

  private static List<Container> initContainers(Pod pod) {
    return pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
  }

  private static ContainerStatusBuilder base(Container c) {
    return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
        .withImageID("docker-pullable://" + c.getImage()).withContainerID("containerd://" + c.getName())
        .withRestartCount(0);
  }

  private static PodCondition condition(String type, String status, String reason, String now) {
    return condition(type, status, reason, now, null);
  }

  private static PodCondition condition(String type, String status, String reason, String now, String message) {
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(now).build();
  }

  /** A stable made-up pod IP from the pod's uid (10.244.0.0/16; nothing routes to it). */
  private static String podIp(Pod pod) {
    int h = Math.abs(Objects.hashCode(pod.getMetadata().getUid()));
    return "10.244." + ((h >> 8) & 0xff) + "." + Math.max(1, h & 0xfe);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() {
    informer.close();
    scheduler.shutdownNow();
    workers.shutdownNow();
  }
}
