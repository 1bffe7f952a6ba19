# syntax=docker/dockerfile:1
# Gatehouse images, from this repository's root:
#
#   docker build -t gatehouse:$(git rev-parse --short HEAD) .
#   docker build --target runtime -t gatehouse-runtime:$(git rev-parse --short HEAD) .
#
# Push them and pin the chart to the digest the registry reports (image.digest,
# sandbox.runtimeImage.digest): docs/deploy.md. Pin the base images too, by passing their digests:
#   --build-arg JDK_IMAGE=eclipse-temurin:21-jdk@sha256:... (and JRE_IMAGE, RUNTIME_BASE_IMAGE)
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG JRE_IMAGE=eclipse-temurin:21-jre
ARG RUNTIME_BASE_IMAGE=debian:bookworm-slim

# ---- build: the server (thin jar + lib/) and the runtime jar, with the Maven wrapper ------------
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY sdk/pom.xml sdk/pom.xml
COPY runtime/pom.xml runtime/pom.xml
COPY server/pom.xml server/pom.xml
COPY bench/pom.xml bench/pom.xml
COPY deploy/pom.xml deploy/pom.xml
COPY sdk/src sdk/src
COPY runtime/src runtime/src
COPY server/src/main server/src/main
COPY keycloak keycloak
# maven.test.skip (not only skipTests): the tests' Keycloak download is skipped with them.
RUN ./mvnw -B --no-transfer-progress -pl server,runtime -am package -Dmaven.test.skip=true

# A minimal Java for the runtime: it needs only the JDK's HTTP server and client.
RUN jlink --add-modules java.base,java.net.http,jdk.httpserver --strip-debug --no-man-pages \
      --no-header-files --compress=zip-6 --output /opt/runtime-jre

# ---- runtime: the reference sandbox runtime, its own small image ----------------------------------
# Started by the kubernetes sandbox backend with the image's entrypoint, as user 65532, read-only
# root file system, /tmp an emptyDir (server/.../sandbox/kubernetes/SandboxObjects.java).
FROM ${RUNTIME_BASE_IMAGE} AS runtime
COPY --from=build /opt/runtime-jre /opt/java
COPY --from=build /src/runtime/target/gatehouse-runtime.jar /opt/gatehouse-runtime/gatehouse-runtime.jar
ENV JAVA_HOME=/opt/java HOME=/tmp \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1 -Djava.io.tmpdir=/tmp"
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/opt/java/bin/java", "-jar", "/opt/gatehouse-runtime/gatehouse-runtime.jar"]

# ---- gatehouse: the server, every role (the default target) ---------------------------------------
FROM ${JRE_IMAGE} AS gatehouse
WORKDIR /opt/gatehouse
COPY --from=build /src/server/target/lib/ lib/
COPY --from=build /src/server/target/gatehouse.jar gatehouse.jar
# Optional class-data sharing archive (faster start): built from a short run of the CLI. The JVM
# ignores an archive it cannot use (-Xshare:auto), so a mismatch costs start-up time, not a start.
ARG CDS=true
RUN if [ "$CDS" = "true" ]; then \
      java -XX:ArchiveClassesAtExit=/opt/gatehouse/gatehouse.jsa -jar gatehouse.jar --help > /dev/null; \
    fi
# Container-aware heap (a share of the pod's memory limit, not of the node's), exit on OOM so the
# kubelet restarts the pod. The chart's jvmOptions replaces this whole list.
ENV HOME=/tmp \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=70 -XX:InitialRAMPercentage=25 -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=/opt/gatehouse/gatehouse.jsa -Xshare:auto -Djava.io.tmpdir=/tmp"
USER 65532:65532
# The API, and the management port (server.managementPort: GET /metrics, /healthz, /readyz).
EXPOSE 8080 9464
ENTRYPOINT ["java", "-jar", "/opt/gatehouse/gatehouse.jar"]
CMD ["serve"]
