#
# Rendered from Dockerfile.template by ./render-templates.sh -- edit the template and re-render.
#
#   template: Dockerfile.template
#   %%VARIANT%%      -> bookworm
#   %%VERSION%%      -> 7.2.5
#   %%SHA256%%       -> see KV_DOWNLOAD_SHA below
#   %%ALPINE_ONLY%%  -> (empty for Debian variants)
#

FROM debian:bookworm-20240612-slim

# Fixed ids so volumes keep their ownership across image rebuilds (%%VARIANT%% independent).
RUN set -eux; \
	groupadd -r -g 999 kvstore; \
	useradd -r -g kvstore -u 999 kvstore

ENV KV_VERSION 7.2.5
ENV KV_DOWNLOAD_URL http://download.example.org/releases/kvstore-7.2.5.tar.gz
ENV KV_DOWNLOAD_SHA d8a0e4cb81448ab34e4d5587664724373e9542bf062d5d96d4b9fb4a2b439375

RUN set -eux; \
	\
	savedAptMark="$(apt-mark showmanual)"; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		ca-certificates \
		wget \
		dpkg-dev \
		gcc \
		libc6-dev \
		libssl-dev \
		make \
	; \
	rm -rf /var/lib/apt/lists/*; \
	\
	wget -O kvstore.tar.gz "$KV_DOWNLOAD_URL"; \
	echo "$KV_DOWNLOAD_SHA *kvstore.tar.gz" | sha256sum -c -; \
	mkdir -p /usr/src/kvstore; \
	tar -xzf kvstore.tar.gz -C /usr/src/kvstore --strip-components=1; \
	rm kvstore.tar.gz; \
	\
# the default bind address is loopback only; a container has to listen on all interfaces
	sed -i 's/^bind 127.0.0.1 -::1$/bind * -::*/' /usr/src/kvstore/kvstore.conf; \
	grep -q '^bind \* -::\*$' /usr/src/kvstore/kvstore.conf; \
	\
	arch="$(dpkg --print-architecture)"; \
	case "$arch" in \
		amd64|i386) pageFlags='--with-lg-page=12' ;; \
		arm64|ppc64el) pageFlags='--with-lg-page=16' ;; \
		*) pageFlags='' ;; \
	esac; \
	make -C /usr/src/kvstore -j "$(nproc)" BUILD_TLS=yes ALLOC_FLAGS="$pageFlags" all; \
	make -C /usr/src/kvstore PREFIX=/usr/local install; \
	install -D -m 0644 /usr/src/kvstore/kvstore.conf /etc/kvstore/kvstore.conf; \
	\
# the benchmark and check tools are the same binary under other names; keep only the server and cli
	for tool in kvstore-benchmark kvstore-check-aof kvstore-check-rdb; do \
		rm -f "/usr/local/bin/$tool"; \
	done; \
	\
	rm -r /usr/src/kvstore; \
	\
	apt-mark auto '.*' > /dev/null; \
	[ -z "$savedAptMark" ] || apt-mark manual $savedAptMark > /dev/null; \
	for lib in $(ldd /usr/local/bin/kvstore-server | awk '$3 ~ /^\// { print $3 }'); do \
		dpkg-query --search "$(readlink -f "$lib")" | cut -d: -f1; \
	done | sort -u | xargs -r apt-mark manual; \
	apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
	\
	kvstore-cli --version; \
	kvstore-server --version

RUN mkdir /data && chown kvstore:kvstore /data
VOLUME /data
WORKDIR /data

USER kvstore
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["kvstore-cli", "ping"]
EXPOSE 6379
CMD ["kvstore-server"]
