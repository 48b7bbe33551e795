ARG REGISTRY=docker.io
ARG BASE_IMAGE=library/ubuntu
ARG BASE_TAG=24.04
ARG BASE_DIGEST
FROM ${REGISTRY}/${BASE_IMAGE}:${BASE_TAG}${BASE_DIGEST:+@${BASE_DIGEST}} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y nodejs \
 && rm -rf /var/lib/apt/lists/*
ARG APP_USER=app
RUN groupadd --gid 1000 "${APP_USER}" && useradd --uid 1000 --gid 1000 -m "${APP_USER}"
USER ${APP_USER}:${APP_USER}
WORKDIR /home/${APP_USER}
