# mlserving-operator image: the operator and its CLI (render, validate, run) in one jar.
#   docker build -t mlserving-operator .
#   docker run --rm mlserving-operator                      # the operator (CMD run; needs a kubeconfig or in-cluster config)
#   docker run --rm -v "$PWD:/src" -w /src mlserving-operator validate -f samples/
# Built by .github/workflows/ci.yml (build only) and release.yml (pushed on tags). The development
# machines have no Docker engine, so this file is only built in GitHub Actions.

# --- build: the shaded jar ------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# POMs first: the dependency layer (a local repository inside the layer, so a layer cache keeps it)
# is reused until a POM changes.
COPY pom.xml ./
COPY operator/pom.xml operator/
RUN mvn -B -ntp -Dmaven.repo.local=/m2 -pl operator -am dependency:go-offline
COPY operator/src/main operator/src/main
# Tests run in CI (they need the chart, the Argo CD files and lua5.1, which are not in this context).
# Not offline: go-offline misses a few plugin dependencies, which this step fetches.
RUN mvn -B -ntp -Dmaven.repo.local=/m2 -pl operator -am package -DskipTests \
 && cp operator/target/mlserving-operator.jar /mlserving-operator.jar

# --- runtime: a JRE, a non-root user, the jar -------------------------------------------------
FROM eclipse-temurin:17-jre-alpine
ARG VERSION=dev
LABEL org.opencontainers.image.title="mlserving-operator" \
      org.opencontainers.image.description="Kubernetes operator for ML serving patterns (InferenceService, ABTest, ShadowTest, CircuitBreaker)" \
      org.opencontainers.image.version="${VERSION}"
# UID/GID 65532, the usual "nonroot" ids: numeric, so runAsNonRoot can verify them.
RUN addgroup -S -g 65532 nonroot \
 && adduser -S -D -H -u 65532 -G nonroot -h /tmp -s /sbin/nologin nonroot \
 && mkdir -p /app
COPY --from=build --chown=0:0 /mlserving-operator.jar /app/mlserving-operator.jar
USER 65532:65532
# A writable HOME even under readOnlyRootFilesystem (the chart mounts an emptyDir at /tmp).
ENV HOME=/tmp
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["java","-jar","/app/mlserving-operator.jar"]
CMD ["run"]
