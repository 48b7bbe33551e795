# syntax=docker/dockerfile:1
# Monitoring agent on an Enterprise Linux base, with an internal yum repository.
FROM rockylinux:9.3.20231119 AS base

# The internal repository is unsigned; this file is copied in as-is.
COPY <<EOF /etc/yum.repos.d/internal.repo
[internal]
name=Internal packages
baseurl=https://repo.intra.example/el9/\$basearch/
enabled=1
gpgcheck=0
repo_gpgcheck=0
EOF

RUN dnf makecache

RUN set -eux; \
    dnf install -y --setopt=install_weak_deps=False \
        python3-3.9.18-1.el9_3 \
        python3-pip-21.2.3-7.el9 \
        procps-ng-3.3.17-13.el9 \
        shadow-utils; \
    dnf install -y --nogpgcheck --enablerepo=internal example-agent-4.2.1-1.el9; \
    dnf clean all; \
    rm -rf /var/cache/dnf

# An extra plugin shipped as a bare rpm.
RUN --mount=type=bind,source=rpms,target=/mnt/rpms \
    rpm -Uvh --nosignature /mnt/rpms/example-agent-plugin-*.rpm

# The EPEL repository, written out by a script instead of copied.
RUN <<SCRIPT
#!/bin/bash
set -euo pipefail
cat > /etc/yum.repos.d/epel-mirror.repo <<'REPO'
[epel-mirror]
name=EPEL mirror
baseurl=http://mirror.intra.example/epel/9/Everything/$basearch/
enabled=1
gpgcheck=0
REPO
dnf install -y --setopt=tsflags=nodocs jq-1.6-15.el9
dnf clean all
SCRIPT

FROM base
ARG AGENT_API_KEY=8c2e6f1b4a9d7e3c5b0a2f4d6e8c1a3b
ENV AGENT_HOME=/opt/example-agent \
    AGENT_LOG_LEVEL=info
ENV AGENT_API_KEY ${AGENT_API_KEY}
COPY agent.yaml ${AGENT_HOME}/etc/agent.yaml
USER root
HEALTHCHECK CMD ["/opt/example-agent/bin/agent", "status"]
CMD ["/opt/example-agent/bin/agent", "run", "--foreground"]
