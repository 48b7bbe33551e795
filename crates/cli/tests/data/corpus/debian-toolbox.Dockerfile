# syntax=docker/dockerfile:1
# A toolbox image in the style of many CI images: package lists, helper scripts, shell functions.
FROM debian:12-slim

COPY packages.txt /tmp/packages.txt
COPY scripts/ /usr/local/lib/toolbox/

# The install goes through xargs: the refresh is not alone.
RUN apt-get update \
    && grep -v '^#' /tmp/packages.txt | xargs apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/*

# A helper script installs what it needs after the refresh.
RUN set -eux; \
    apt-get update; \
    /usr/local/lib/toolbox/install-cloud-clis.sh; \
    rm -rf /var/lib/apt/lists/*

# The same through sh and a shell function defined in the same RUN.
RUN apt-get update && sh /usr/local/lib/toolbox/fonts.sh
RUN install_pkgs() { apt-get install -y --no-install-recommends "$@"; }; \
    apt-get update && install_pkgs jq unzip && apt-get clean

# Only refreshes: the next RUN installs from whatever this layer cached.
RUN apt-get update && echo "package lists refreshed" && ls -l /var/lib/apt/lists
RUN apt-get install -y --no-install-recommends make

RUN useradd --system --uid 10001 toolbox
USER 10001
