# syntax=docker/dockerfile:1.4
# A dev container in the style of the devcontainers images: a user with passwordless sudo.
FROM mcr.microsoft.com/devcontainers/base:bookworm AS dev
ARG USERNAME=vscode
RUN apt-get update && export DEBIAN_FRONTEND=noninteractive \
    && apt-get install -y --no-install-recommends sudo git-lfs \
    && rm -rf /var/lib/apt/lists/*
COPY <<EOF /etc/sudoers.d/vscode
vscode ALL=(root) NOPASSWD:ALL
EOF
COPY .devcontainer/sudoers-docker /etc/sudoers.d/docker
RUN sed -i 's/^%sudo.*/%sudo ALL=(ALL:ALL) NOPASSWD: ALL/' /etc/sudoers
USER ${USERNAME}

