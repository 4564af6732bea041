package io.mlserving.operator.desired;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.mlserving.operator.api.v1alpha1.AutoscalingSpec;
import io.mlserving.operator.api.v1alpha1.InferenceService;
import io.mlserving.operator.api.v1alpha1.ModelSpec;
import io.mlserving.operator.api.v1alpha1.ModelStatus;
import io.mlserving.operator.api.v1alpha1.PredictorSpec;
import io.mlserving.operator.config.LoaderImages;
import io.mlserving.operator.desired.StorageLocation.Scheme;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** InferenceService to Deployment, Service and HorizontalPodAutoscaler. Pure: no I/O, no clock. */
public final class InferenceServiceResources {
  public static final String PREDICTOR = "predictor";
  public static final String MODEL_LOADER = "model-loader";
  public static final String MODEL_STORE = "model-store";
  public static final String LOADER_HOME = "loader-home";
  public static final String LOADER_HOME_PATH = "/home/mlserving";
  public static final String MODEL_DIR_ENV = "MODEL_DIR";
  /** The pinned registry version, in the predictor's environment (a model server can report it). */
  public static final String MODEL_VERSION_ENV = "MODEL_VERSION";
  /** Pod annotations naming the registry URI and the version every replica loads. */
  public static final String MODEL_URI_ANNOTATION = "mlserving.io/model-uri";
  public static final String MODEL_VERSION_ANNOTATION = "mlserving.io/model-version";
  /** The tracking server an mlflow-artifacts: loader fetches through. */
  public static final String TRACKING_URI_ENV = "MLFLOW_TRACKING_URI";
  public static final int SERVICE_PORT = 80;
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_REPLICAS = 1;
  public static final int DEFAULT_MIN_REPLICAS = 1;
  public static final int DEFAULT_TARGET_CPU = 80;
  /** The non-root user and group every generated pod runs as. */
  public static final long POD_USER = 1000L;

  private InferenceServiceResources() {}

  /** Every object the InferenceService generates, in a stable order, with an autoscaling/v2 HPA. */
  public static List<HasMetadata> all(InferenceService isvc, LoaderImages images) {
    return all(isvc, images, Optional.of(AutoscalingApi.DEFAULT));
  }

  /**
   * Every object the InferenceService generates, in a stable order: Deployment, Service, and with
   * {@code spec.autoscaling} a HorizontalPodAutoscaler in {@code autoscaling}'s version (none when empty: the
   * cluster serves no HPA API).
   */
  public static List<HasMetadata> all(InferenceService isvc, LoaderImages images,
      Optional<AutoscalingApi> autoscaling) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(deployment(isvc, images));
    out.add(service(isvc));
    autoscaling.flatMap(api -> horizontalPodAutoscaler(isvc).map(api::of)).ifPresent(out::add);
    return out;
  }

  /** Name of the container and Service port: the protocol, http or grpc. */
  public static String portName(InferenceService isvc) {
    PredictorSpec.Protocol protocol = isvc.getSpec().getPredictor().getProtocol();
    return protocol == null ? PredictorSpec.Protocol.http.name() : protocol.name();
  }

  /** The Deployment running the model server, and the model loader when the model is downloaded. */
  public static Deployment deployment(InferenceService isvc, LoaderImages images) {
    String name = isvc.getMetadata().getName();
    PredictorSpec predictor = isvc.getSpec().getPredictor();
    ModelSpec model = isvc.getSpec().getModel();
    Optional<StorageLocation> location =
        model == null ? Optional.empty() : StorageLocation.parse(model.getStorageUri());
    if (model != null && location.isEmpty()) {
      throw new IllegalArgumentException("spec.model.storageUri: " + ModelSpec.SCHEME_MESSAGE);
    }
    // A registry URI is loaded from the artifact URI of the version pinned in status (the operator passes the
    // status it is about to write); without one, the loader refuses to run (render reaches no registry).
    Optional<ModelStatus> pin = pinned(isvc);
    Optional<StorageLocation> loadFrom = pin.isPresent()
        ? StorageLocation.parseArtifact(pin.get().getResolvedUri()) : location;
    Map<String, String> podAnnotations = new LinkedHashMap<>();
    if (predictor.getPodAnnotations() != null) {
      podAnnotations.putAll(predictor.getPodAnnotations());
    }
    pin.ifPresent(p -> {
      podAnnotations.put(MODEL_URI_ANNOTATION, p.getUri());
      podAnnotations.put(MODEL_VERSION_ANNOTATION, p.getVersion());
    });

    Map<String, String> podLabels = new LinkedHashMap<>();
    if (predictor.getPodLabels() != null) {
      podLabels.putAll(predictor.getPodLabels());
    }
    podLabels.putAll(Labels.owned(isvc));
    podLabels.putAll(Labels.selector(name));

    List<Volume> volumes = new ArrayList<>();
    List<Container> initContainers = new ArrayList<>();
    List<VolumeMount> predictorMounts = new ArrayList<>();
    List<EnvVar> predictorEnv = new ArrayList<>();
    if (predictor.getEnv() != null) {
      predictorEnv.addAll(predictor.getEnv());
    }
    if (loadFrom.isPresent()) {
      StorageLocation loc = loadFrom.get();
      String mountPath = mountPath(model);
      predictorEnv.removeIf(e -> MODEL_DIR_ENV.equals(e.getName()));
      predictorEnv.add(new EnvVar(MODEL_DIR_ENV, mountPath, null));
      if (pin.isPresent()) {
        predictorEnv.removeIf(e -> MODEL_VERSION_ENV.equals(e.getName()));
        predictorEnv.add(new EnvVar(MODEL_VERSION_ENV, pin.get().getVersion(), null));
      }
      VolumeMountBuilder mount = new VolumeMountBuilder()
          .withName(MODEL_STORE).withMountPath(mountPath).withReadOnly(true);
      if (loc.scheme() == Scheme.PVC) {
        volumes.add(new VolumeBuilder().withName(MODEL_STORE)
            .withNewPersistentVolumeClaim(loc.claim(), true).build());
        if (!loc.subPath().isEmpty()) {
          mount.withSubPath(loc.subPath());
        }
      } else {
        volumes.add(new VolumeBuilder().withName(MODEL_STORE).withNewEmptyDir().endEmptyDir().build());
        volumes.add(new VolumeBuilder().withName(LOADER_HOME).withNewEmptyDir().endEmptyDir().build());
        initContainers.add(loader(model, loc, images, mountPath,
            pin.map(ModelStatus::getRegistryUrl).orElse(null)));
      }
      predictorMounts.add(mount.build());
    }

    String portName = portName(isvc);
    ContainerBuilder container = new ContainerBuilder()
        .withName(PREDICTOR)
        .withImage(predictor.getImage())
        .withCommand(predictor.getCommand())
        .withArgs(predictor.getArgs())
        .withPorts(new ContainerPortBuilder()
            .withName(portName)
            .withContainerPort(port(predictor))
            .withProtocol("TCP")
            .build())
        .withEnv(predictorEnv.isEmpty() ? null : predictorEnv)
        .withEnvFrom(predictor.getEnvFrom())
        .withResources(predictor.getResources())
        .withReadinessProbe(probe(predictor, portName, 5, 3))
        .withLivenessProbe(probe(predictor, portName, 10, 3))
        .withStartupProbe(probe(predictor, portName, 5, 120))
        .withVolumeMounts(predictorMounts.isEmpty() ? null : predictorMounts)
        .withSecurityContext(restrictedContainer());

    PodSpecBuilder pod = new PodSpecBuilder()
        .withAutomountServiceAccountToken(false)
        .withSecurityContext(restrictedPod())
        .withInitContainers(initContainers.isEmpty() ? null : initContainers)
        .withContainers(container.build())
        .withVolumes(volumes.isEmpty() ? null : volumes)
        .withNodeSelector(predictor.getNodeSelector())
        .withTolerations(predictor.getTolerations());

    return new DeploymentBuilder()
        .withMetadata(OwnedMeta.of(isvc, name))
        .withNewSpec()
          .withReplicas(isvc.getSpec().getAutoscaling() != null ? null : replicas(isvc))
          .withNewSelector().withMatchLabels(Labels.selector(name)).endSelector()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(podLabels)
              .withAnnotations(podAnnotations.isEmpty() ? null : podAnnotations)
            .endMetadata()
            .withSpec(pod.build())
          .endTemplate()
        .endSpec()
        .build();
  }

  /** ClusterIP Service on port 80, named after the protocol, targeting the container's named port. */
  public static Service service(InferenceService isvc) {
    String name = isvc.getMetadata().getName();
    String portName = portName(isvc);
    return new ServiceBuilder()
        .withMetadata(OwnedMeta.of(isvc, name))
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(Labels.selector(name))
          .addNewPort()
            .withName(portName)
            .withPort(SERVICE_PORT)
            .withTargetPort(new IntOrString(portName))
            .withProtocol("TCP")
          .endPort()
        .endSpec()
        .build();
  }

  /** autoscaling/v2 HorizontalPodAutoscaler on CPU, only when {@code spec.autoscaling} is set. */
  public static Optional<HorizontalPodAutoscaler> horizontalPodAutoscaler(InferenceService isvc) {
    AutoscalingSpec as = isvc.getSpec().getAutoscaling();
    if (as == null) {
      return Optional.empty();
    }
    String name = isvc.getMetadata().getName();
    return Optional.of(new HorizontalPodAutoscalerBuilder()
        .withMetadata(OwnedMeta.of(isvc, name))
        .withNewSpec()
          .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(name)
          .endScaleTargetRef()
          .withMinReplicas(as.getMinReplicas() == null ? DEFAULT_MIN_REPLICAS : as.getMinReplicas())
          .withMaxReplicas(as.getMaxReplicas())
          .addNewMetric()
            .withType("Resource")
            .withNewResource()
              .withName("cpu")
              .withNewTarget()
                .withType("Utilization")
                .withAverageUtilization(as.getTargetCPUUtilizationPercentage() == null
                    ? DEFAULT_TARGET_CPU : as.getTargetCPUUtilizationPercentage())
              .endTarget()
            .endResource()
          .endMetric()
        .endSpec()
        .build());
  }

  /** {@code spec.replicas} with its default. */
  public static int replicas(InferenceService isvc) {
    Integer replicas = isvc.getSpec().getReplicas();
    return replicas == null ? DEFAULT_REPLICAS : replicas;
  }

  /** Pod-level security context meeting the Pod Security Standard {@code restricted}. */
  public static PodSecurityContext restrictedPod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(POD_USER)
        .withRunAsGroup(POD_USER)
        .withFsGroup(POD_USER)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /**
   * Container-level security context: what the Pod Security Standard {@code restricted} asks of each container.
   * {@code runAsNonRoot} and the seccomp profile come from {@link #restrictedPod()}, which every container
   * inherits (the standard accepts either level); repeating them here would only add fields that the API server
   * tracks on every update of the Deployment, its ReplicaSets and pods.
   */
  public static SecurityContext restrictedContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }

  /**
   * The settings a model-loader container is given ({@code STORAGE_URI}, {@code MODEL_DIR}, {@code HOME} and
   * {@code MODEL_SHA256} when set, as its script's arguments; then its environment variables), by name.
   */
  public static Map<String, String> loaderSettings(Container loader) {
    Map<String, String> out = new LinkedHashMap<>(LoaderScripts.settings(loader.getCommand()));
    if (loader.getEnv() != null) {
      loader.getEnv().forEach(e -> out.put(e.getName(), e.getValue()));
    }
    return out;
  }

  /**
   * The registry version pinned in {@code isvc}'s status: present when {@code spec.model.storageUri} is a
   * models:/ URI and {@code status.model} resolved that same URI to a version whose artifact URI a loader fetches.
   */
  public static Optional<ModelStatus> pinned(InferenceService isvc) {
    ModelSpec model = isvc.getSpec().getModel();
    ModelStatus status = isvc.getStatus() == null ? null : isvc.getStatus().getModel();
    if (model == null || status == null || ModelUri.parse(model.getStorageUri()).isEmpty()
        || !model.getStorageUri().equals(status.getUri()) || status.getVersion() == null
        || StorageLocation.parseArtifact(status.getResolvedUri()).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(status);
  }

  private static Container loader(ModelSpec model, StorageLocation loc, LoaderImages images, String mountPath,
      String trackingUri) {
    String sha256 = model.getSha256() == null ? null : model.getSha256().toLowerCase(Locale.ROOT);
    ContainerBuilder loader = new ContainerBuilder()
        .withName(MODEL_LOADER)
        .withImage(loaderImage(loc.scheme(), images))
        .withCommand(LoaderScripts.command(loc.scheme(), loc.uri(), mountPath, LOADER_HOME_PATH, sha256))
        .withResources(new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("100m"))
            .addToRequests("memory", new Quantity("256Mi"))
            .build())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withVolumeMounts(
            new VolumeMountBuilder().withName(MODEL_STORE).withMountPath(mountPath).build(),
            new VolumeMountBuilder().withName(LOADER_HOME).withMountPath(LOADER_HOME_PATH).build())
        .withSecurityContext(restrictedContainer());
    if (loc.scheme() == Scheme.MLFLOW_ARTIFACTS && trackingUri != null) {
      loader.withEnv(new EnvVar(TRACKING_URI_ENV, trackingUri, null));
    }
    if (model.getCredentialsSecret() != null) {
      // Referenced, never read: the kubelet hands the keys to this container only.
      loader.withEnvFrom(new EnvFromSourceBuilder()
          .withNewSecretRef().withName(model.getCredentialsSecret()).endSecretRef().build());
    }
    return loader.build();
  }

  static String loaderImage(Scheme scheme, LoaderImages images) {
    return switch (scheme) {
      case S3 -> images.s3();
      case GS -> images.gs();
      case HTTP -> images.http();
      case HF -> images.hf();
      case MLFLOW_ARTIFACTS, REGISTRY -> images.mlflow();
      case PVC -> throw new IllegalArgumentException("pvc:// needs no loader");
    };
  }

  private static String mountPath(ModelSpec model) {
    return model.getMountPath() == null ? ModelSpec.DEFAULT_MOUNT_PATH : model.getMountPath();
  }

  private static int port(PredictorSpec predictor) {
    return predictor.getPort() == null ? DEFAULT_PORT : predictor.getPort();
  }

  private static Probe probe(PredictorSpec predictor, String portName, int period, int failureThreshold) {
    ProbeBuilder probe = new ProbeBuilder().withPeriodSeconds(period).withFailureThreshold(failureThreshold);
    if (predictor.getHealthPath() != null) {
      probe.withNewHttpGet().withPath(predictor.getHealthPath()).withPort(new IntOrString(portName)).endHttpGet();
    } else {
      probe.withNewTcpSocket().withPort(new IntOrString(portName)).endTcpSocket();
    }
    return probe.build();
  }
}
