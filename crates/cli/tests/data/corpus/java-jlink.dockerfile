# syntax=docker/dockerfile:1
# Spring Boot service: a jlink-trimmed runtime, layered jar, unprivileged user.
ARG JDK_IMAGE=eclipse-temurin:21.0.3_9-jdk-jammy
ARG RUNTIME_IMAGE=ubuntu:jammy-20240530

FROM ${JDK_IMAGE} AS jre
RUN set -eux; \
    jlink \
        --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,jdk.crypto.ec,jdk.unsupported \
        --strip-debug \
        --no-man-pages \
        --no-header-files \
        --compress=zip-6 \
        --output /opt/jre

FROM ${JDK_IMAGE} AS build
WORKDIR /workspace
COPY gradlew settings.gradle.kts build.gradle.kts ./
COPY gradle gradle
RUN --mount=type=cache,target=/root/.gradle,id=gradle-cache \
    ./gradlew --no-daemon dependencies > /dev/null
COPY src src
RUN --mount=type=cache,target=/root/.gradle,id=gradle-cache \
    ./gradlew --no-daemon bootJar -x test \
    && mkdir -p build/extracted \
    && java -Djarmode=tools -jar build/libs/*.jar extract --layers --launcher --destination build/extracted

FROM ${RUNTIME_IMAGE}
ENV JAVA_HOME /opt/jre
ENV PATH "${JAVA_HOME}/bin:${PATH}"
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    SPRING_PROFILES_ACTIVE=container \
    TZ=UTC
# TLS for the management port; the keystore itself is mounted at run time.
ENV SERVER_SSL_KEY_STORE=/etc/ssl/orders/keystore.p12 \
    SERVER_SSL_KEY_STORE_TYPE=PKCS12 \
    SERVER_SSL_KEY_ALIAS=orders
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        tzdata=2024a-0ubuntu0.22.04 \
        ca-certificates=20230311ubuntu0.22.04.1 \
        curl=7.81.0-1ubuntu1.16; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --gid 10001 spring; \
    useradd --uid 10001 --gid spring --no-create-home --shell /usr/sbin/nologin spring
COPY --from=jre /opt/jre /opt/jre
WORKDIR /app
# Least-changing layers first, so a code change only rebuilds the last one.
COPY --from=build --chown=10001:10001 /workspace/build/extracted/dependencies/ ./
COPY --from=build --chown=10001:10001 /workspace/build/extracted/spring-boot-loader/ ./
COPY --from=build --chown=10001:10001 /workspace/build/extracted/snapshot-dependencies/ ./
COPY --from=build --chown=10001:10001 /workspace/build/extracted/application/ ./
USER 10001:10001
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8081/actuator/health/liveness || exit 1
ENTRYPOINT ["java", "-jar", "/app/application.jar"]
