# syntax=docker/dockerfile:1.7
# Downloads written the many ways real files write them: quoted, from ARGs, from images.
ARG HELM_VERSION=3.16.2
ARG HELM_URL=https://get.helm.sh/helm-v${HELM_VERSION}-linux-amd64.tar.gz

FROM alpine:3.20 AS fetch
ARG HELM_URL
ADD ${HELM_URL} /tmp/helm.tar.gz
ADD "https://dl.k8s.io/release/v1.31.1/bin/linux/amd64/kubectl" /usr/local/bin/kubectl
ADD 'https://github.com/mikefarah/yq/releases/download/v4.44.3/yq_linux_amd64' /usr/local/bin/yq
ARG JQ_URL="https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux-amd64"
ADD --checksum=sha256:5942c9b0934e510ee61eb3e30273f1b3fe2590df93933a93d7c58b81d19c8ff5 $JQ_URL /usr/local/bin/jq
ADD "rootfs/overlay.tar.gz" /
ADD "scripts/entrypoint.sh" /usr/local/bin/

FROM alpine:3.20
COPY --from=fetch /usr/local/bin/ /usr/local/bin/
COPY --from=ghcr.io/astral-sh/uv:latest /uv /usr/local/bin/uv
COPY --from=docker.io/library/busybox /bin/busybox /bin/busybox-static
COPY --from=hashicorp/terraform:1.9.8 /bin/terraform /usr/local/bin/terraform
RUN --mount=type=bind,from=quay.io/skopeo/stable,source=/usr/bin/skopeo,target=/mnt/skopeo \
    cp /mnt/skopeo /usr/local/bin/skopeo
RUN mkdir -p /shared && chmod 1777 /shared
USER 65534
