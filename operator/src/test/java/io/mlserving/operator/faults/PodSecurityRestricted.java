package io.mlserving.operator.faults;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The Pod Security Standards, profile {@code restricted} (which includes {@code baseline}), as the Pod Security
 * admission controller checks a Linux pod (policy version "latest", Kubernetes 1.30 and later). Each violation
 * is one line starting with the rule's name, as in
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/.
 */
final class PodSecurityRestricted {
  private static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
      "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
  private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
      "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
      "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
  private static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t",
      "container_engine_t");
  private static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

  private PodSecurityRestricted() {}

  /** Every violation of the restricted profile by a pod made from {@code template}; empty when it passes. */
  static List<String> violations(PodTemplateSpec template) {
    Map<String, String> annotations = template.getMetadata() == null ? null
        : template.getMetadata().getAnnotations();
    return violations(annotations, template.getSpec());
  }

  static List<String> violations(Map<String, String> podAnnotations, PodSpec pod) {
    List<String> out = new ArrayList<>();
    PodSecurityContext psc = pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
    List<Container> containers = new ArrayList<>(nullSafe(pod.getContainers()));
    containers.addAll(nullSafe(pod.getInitContainers()));
    if (pod.getEphemeralContainers() != null) {
      pod.getEphemeralContainers().forEach(e -> containers.add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
          .withName(e.getName()).withSecurityContext(e.getSecurityContext()).withPorts(e.getPorts()).build()));
    }

    // ---- baseline
    if (psc.getWindowsOptions() != null && Boolean.TRUE.equals(psc.getWindowsOptions().getHostProcess())) {
      out.add("HostProcess: spec.securityContext.windowsOptions.hostProcess is true");
    }
    for (Container c : containers) {
      SecurityContext sc = c.getSecurityContext();
      if (sc != null && sc.getWindowsOptions() != null && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
        out.add("HostProcess: container " + c.getName() + " has windowsOptions.hostProcess true");
      }
    }
    if (Boolean.TRUE.equals(pod.getHostNetwork())) {
      out.add("Host Namespaces: spec.hostNetwork is true");
    }
    if (Boolean.TRUE.equals(pod.getHostPID())) {
      out.add("Host Namespaces: spec.hostPID is true");
    }
    if (Boolean.TRUE.equals(pod.getHostIPC())) {
      out.add("Host Namespaces: spec.hostIPC is true");
    }
    for (Container c : containers) {
      SecurityContext sc = c.getSecurityContext();
      if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
        out.add("Privileged Containers: container " + c.getName() + " is privileged");
      }
      Capabilities caps = sc == null ? null : sc.getCapabilities();
      for (String add : caps == null ? List.<String>of() : nullSafe(caps.getAdd())) {
        if (!BASELINE_CAPABILITIES.contains(add)) {
          out.add("Capabilities: container " + c.getName() + " adds " + add + " (baseline)");
        }
      }
      for (ContainerPort p : nullSafe(c.getPorts())) {
        if (p.getHostPort() != null && p.getHostPort() != 0) {
          out.add("Host Ports: container " + c.getName() + " uses hostPort " + p.getHostPort());
        }
      }
      if (sc != null && sc.getAppArmorProfile() != null
          && !Set.of("RuntimeDefault", "Localhost").contains(sc.getAppArmorProfile().getType())) {
        out.add("AppArmor: container " + c.getName() + " has appArmorProfile " + sc.getAppArmorProfile().getType());
      }
      seLinux("container " + c.getName(), sc == null ? null : sc.getSeLinuxOptions(), out);
      if (sc != null && sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add("/proc Mount Type: container " + c.getName() + " has procMount " + sc.getProcMount());
      }
      if (sc != null && sc.getSeccompProfile() != null && "Unconfined".equals(sc.getSeccompProfile().getType())) {
        out.add("Seccomp: container " + c.getName() + " is Unconfined");
      }
    }
    for (Volume v : nullSafe(pod.getVolumes())) {
      if (v.getHostPath() != null) {
        out.add("HostPath Volumes: volume " + v.getName() + " is a hostPath");
      }
    }
    if (psc.getAppArmorProfile() != null
        && !Set.of("RuntimeDefault", "Localhost").contains(psc.getAppArmorProfile().getType())) {
      out.add("AppArmor: spec.securityContext.appArmorProfile is " + psc.getAppArmorProfile().getType());
    }
    if (podAnnotations != null) {
      podAnnotations.forEach((k, v) -> {
        if (k.startsWith(APPARMOR_ANNOTATION) && !"runtime/default".equals(v) && !v.startsWith("localhost/")) {
          out.add("AppArmor: annotation " + k + " is " + v);
        }
      });
    }
    seLinux("spec.securityContext", psc.getSeLinuxOptions(), out);
    if (psc.getSeccompProfile() != null && "Unconfined".equals(psc.getSeccompProfile().getType())) {
      out.add("Seccomp: spec.securityContext.seccompProfile is Unconfined");
    }
    for (Sysctl s : nullSafe(psc.getSysctls())) {
      if (!SAFE_SYSCTLS.contains(s.getName())) {
        out.add("Sysctls: " + s.getName() + " is not a safe sysctl");
      }
    }

    // ---- restricted
    Set<String> allowedVolumes = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
        "persistentVolumeClaim", "projected", "secret");
    for (Volume v : nullSafe(pod.getVolumes())) {
      String type = volumeType(v);
      if (!allowedVolumes.contains(type)) {
        out.add("Volume Types: volume " + v.getName() + " is of type " + type);
      }
    }
    boolean podNonRoot = Boolean.TRUE.equals(psc.getRunAsNonRoot());
    if (psc.getRunAsUser() != null && psc.getRunAsUser() == 0) {
      out.add("Running as Non-root user: spec.securityContext.runAsUser is 0");
    }
    boolean podSeccomp = allowedSeccomp(psc.getSeccompProfile());
    for (Container c : containers) {
      SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
      if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add("Privilege Escalation: container " + c.getName() + " does not set allowPrivilegeEscalation false");
      }
      if (Boolean.FALSE.equals(sc.getRunAsNonRoot()) || (!podNonRoot && !Boolean.TRUE.equals(sc.getRunAsNonRoot()))) {
        out.add("Running as Non-root: container " + c.getName() + " may run as root (runAsNonRoot)");
      }
      if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
        out.add("Running as Non-root user: container " + c.getName() + " has runAsUser 0");
      }
      if (sc.getSeccompProfile() == null ? !podSeccomp : !allowedSeccomp(sc.getSeccompProfile())) {
        out.add("Seccomp: container " + c.getName() + " has no RuntimeDefault or Localhost seccomp profile");
      }
      Capabilities caps = sc.getCapabilities();
      if (caps == null || !nullSafe(caps.getDrop()).contains("ALL")) {
        out.add("Capabilities: container " + c.getName() + " does not drop ALL");
      }
      for (String add : caps == null ? List.<String>of() : nullSafe(caps.getAdd())) {
        if (!"NET_BIND_SERVICE".equals(add)) {
          out.add("Capabilities: container " + c.getName() + " adds " + add + " (restricted)");
        }
      }
    }
    return out;
  }

  private static boolean allowedSeccomp(SeccompProfile p) {
    return p != null && Set.of("RuntimeDefault", "Localhost").contains(p.getType());
  }

  private static void seLinux(String where, SELinuxOptions o, List<String> out) {
    if (o == null) {
      return;
    }
    if (o.getType() != null && !SELINUX_TYPES.contains(o.getType())) {
      out.add("SELinux: " + where + " has seLinuxOptions.type " + o.getType());
    }
    if (o.getUser() != null && !o.getUser().isEmpty()) {
      out.add("SELinux: " + where + " sets seLinuxOptions.user");
    }
    if (o.getRole() != null && !o.getRole().isEmpty()) {
      out.add("SELinux: " + where + " sets seLinuxOptions.role");
    }
  }

  private static String volumeType(Volume v) {
    Map<String, Function<Volume, Object>> types = new java.util.LinkedHashMap<>();
    types.put("configMap", Volume::getConfigMap);
    types.put("csi", Volume::getCsi);
    types.put("downwardAPI", Volume::getDownwardAPI);
    types.put("emptyDir", Volume::getEmptyDir);
    types.put("ephemeral", Volume::getEphemeral);
    types.put("persistentVolumeClaim", Volume::getPersistentVolumeClaim);
    types.put("projected", Volume::getProjected);
    types.put("secret", Volume::getSecret);
    types.put("hostPath", Volume::getHostPath);
    types.put("nfs", Volume::getNfs);
    types.put("gitRepo", Volume::getGitRepo);
    types.put("iscsi", Volume::getIscsi);
    types.put("rbd", Volume::getRbd);
    types.put("image", Volume::getImage);
    for (var e : types.entrySet()) {
      if (e.getValue().apply(v) != null) {
        return e.getKey();
      }
    }
    return "another type";
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
