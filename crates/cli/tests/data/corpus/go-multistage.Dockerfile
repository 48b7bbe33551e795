# syntax=docker/dockerfile:1

# Versions are set once here and used by every stage below.
ARG GO_VERSION=1.22.4
ARG ALPINE_VERSION=3.20
ARG DISTROLESS_TAG=nonroot

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine${ALPINE_VERSION} AS base
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
RUN apk add --no-cache git=2.45.2-r0 ca-certificates=20240705-r0

# Dependencies are cached in their own stage so source edits do not refetch modules.
FROM base AS deps
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download -x

FROM deps AS test
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    go vet ./... && go test -race=false -count=1 ./...

FROM deps AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=unknown
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    set -eux; \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build \
        -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
        -o /out/server ./cmd/server; \
    # a quick sanity check that the binary is static
    GOOS=$TARGETOS GOARCH=$TARGETARCH go version -m /out/server | head -n 5

# Write a minimal passwd entry so the final image resolves the user by name.
FROM base AS users
RUN <<EOF
set -eu
mkdir -p /out/etc
echo 'app:x:10001:10001:app:/nonexistent:/sbin/nologin' > /out/etc/passwd
echo 'app:x:10001:' > /out/etc/group
EOF

FROM gcr.io/distroless/static-debian12:${DISTROLESS_TAG} AS release
LABEL org.opencontainers.image.title="edge-proxy" \
      org.opencontainers.image.source="https://git.example.com/platform/edge-proxy" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Example Platform Team"
COPY --from=users /out/etc/passwd /out/etc/group /etc/
COPY --from=build --chown=10001:10001 /out/server /usr/local/bin/server
USER 10001:10001
EXPOSE 8080/tcp 9090/tcp
HEALTHCHECK --interval=15s --timeout=2s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/server", "healthcheck", "--addr=127.0.0.1:8080"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/server"]
CMD ["--config", "/etc/edge-proxy/config.yaml"]
