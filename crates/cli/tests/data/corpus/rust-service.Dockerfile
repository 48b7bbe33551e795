# syntax=docker/dockerfile:1.6
ARG RUST_VERSION=1.79.0
ARG DEBIAN_SUITE=bookworm
# Which stage provides the binary: "builder" compiles it, "prebuilt" takes a CI artifact.
ARG BINARY_SOURCE=builder

FROM rust:${RUST_VERSION}-slim-${DEBIAN_SUITE} AS chef
WORKDIR /app
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo install --locked cargo-chef@0.1.67

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
ARG DEBIAN_SUITE
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends pkg-config=1.8.1-1 libssl-dev=3.0.13-1~deb12u1; \
    rm -rf /var/lib/apt/lists/*
COPY --from=planner /app/recipe.json recipe.json
# The private registry token is mounted for this step only and never stored in a layer.
RUN --mount=type=secret,id=cargo_token,env=CARGO_REGISTRIES_INTERNAL_TOKEN \
    --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/app/target,sharing=locked \
    cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN --mount=type=secret,id=cargo_token,target=/run/secrets/cargo_token,required=true \
    --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/app/target,sharing=locked \
    <<'EOF'
set -euo pipefail 2>/dev/null || set -eu
export CARGO_REGISTRIES_INTERNAL_TOKEN="$(cat /run/secrets/cargo_token)"
cargo build --release --locked --bin ledger
# copy out of the cache mount, which is not part of the image
install -D -m 0755 target/release/ledger /out/ledger
EOF

FROM scratch AS prebuilt
COPY dist/ledger-linux-amd64 /out/ledger

FROM ${BINARY_SOURCE} AS binary

FROM debian:${DEBIAN_SUITE}-slim AS runtime
# Two files written in one step: the service account and its default configuration.
COPY <<PASSWD /etc/passwd.d/ledger <<CONFIG /etc/ledger/ledger.toml
ledger:x:10010:10010::/var/lib/ledger:/usr/sbin/nologin
PASSWD
[server]
listen = "0.0.0.0:7000"
data_dir = "/var/lib/ledger"

[log]
format = "json"
CONFIG
RUN set -eux; \
    cat /etc/passwd.d/ledger >> /etc/passwd; \
    echo 'ledger:x:10010:' >> /etc/group; \
    install -d -o 10010 -g 10010 -m 0750 /var/lib/ledger
COPY --from=${BINARY_SOURCE} /out/ledger /usr/local/bin/ledger
VOLUME ["/var/lib/ledger"]
WORKDIR /var/lib/ledger
USER ledger:ledger
EXPOSE 7000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --start-interval=2s \
    CMD ["/usr/local/bin/ledger", "ping"]
ENTRYPOINT ["/usr/local/bin/ledger"]
CMD ["serve"]
