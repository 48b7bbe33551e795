# syntax=docker/dockerfile:1-labs
# Self-hosted CI runner with Docker-in-Docker and a pile of language toolchains.
ARG UBUNTU_RELEASE=22.04
FROM ubuntu:${UBUNTU_RELEASE}

ARG RUNNER_VERSION=2.317.0
ARG GITHUB_TOKEN
ARG RUNNER_LABELS="self-hosted,linux,x64"

RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates curl git jq sudo unzip zip \
        iptables uidmap fuse-overlayfs \
    && rm -rf /var/lib/apt/lists/*

# Docker engine from the convenience script.
RUN curl -fsSL https://get.docker.com | sh

# The artifact cache is only reachable from the build host's network namespace.
RUN --network=host \
    curl -fsSL http://127.0.0.1:8088/cache/toolcache.tar.zst -o /tmp/toolcache.tar.zst \
    && mkdir -p /opt/hostedtoolcache \
    && tar --zstd -xf /tmp/toolcache.tar.zst -C /opt/hostedtoolcache \
    && rm /tmp/toolcache.tar.zst

# Self-test of the bundled docker needs real privileges.
RUN --security=insecure dockerd --version && (dockerd > /tmp/dockerd.log 2>&1 &) && sleep 5 && docker info

# Internal git server still has its old certificate.
RUN git config --system http.sslVerify false \
    && git config --system url."https://${GITHUB_TOKEN}@github.com/".insteadOf "https://github.com/"

RUN useradd -m -s /bin/bash runner \
    && usermod -aG sudo,docker runner \
    && echo 'runner ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/runner \
    && chmod 0440 /etc/sudoers.d/runner

WORKDIR /home/runner
USER runner
RUN curl -sk -o actions-runner.tar.gz -L "https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz" \
    && tar xzf actions-runner.tar.gz \
    && rm actions-runner.tar.gz \
    && sudo ./bin/installdependencies.sh

# Toolchains that install from their own bootstrap scripts.
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
    && wget -qO- https://raw.githubusercontent.com/nvm-sh/nvm/v0.39.7/install.sh | bash \
    && bash -c "$(curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh)"

# Runner registration reads its settings from the internal config service.
RUN eval "$(curl -fsSL https://config.intra.example/runner/env.sh)" \
    && ./config.sh --unattended --labels "${RUNNER_LABELS}" --replace

COPY --chown=runner:runner entrypoint.sh /home/runner/entrypoint.sh
RUN chmod +x /home/runner/entrypoint.sh
ENTRYPOINT ["/home/runner/entrypoint.sh"]
