# A relational database server image in the manner of the official database images:
# a dated Debian base, a signature-checked helper binary, the vendor's apt repository behind
# its own keyring, and an entrypoint that prepares the data directory on first start.
FROM debian:bookworm-20240513-slim

# Account first, so its ids do not depend on what the packages below happen to create.
RUN set -eux; \
	groupadd --system --gid 999 postgres; \
# the home directory doubles as the parent of the data directory
	useradd --system --gid postgres --uid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres; \
	install -d -o postgres -g postgres -m 0755 /var/lib/postgresql

# su-exec style helper used by the entrypoint to leave root before starting the server.
ENV DROPPRIV_VERSION 2.3
RUN set -eux; \
	fetchDeps='ca-certificates curl gnupg dirmngr'; \
	apt-get update; \
	apt-get install -y --no-install-recommends $fetchDeps; \
	arch="$(dpkg --print-architecture)"; \
	base="https://downloads.example.net/droppriv/v${DROPPRIV_VERSION}"; \
	curl -fsSL -o /usr/local/bin/droppriv "$base/droppriv-$arch"; \
	curl -fsSL -o /tmp/droppriv.sig "$base/droppriv-$arch.sig"; \
# the release key is fetched by full fingerprint and the binary is checked before first use
	GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
	gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys 45C0E8EBFE85697E8061692FECC30272F637EA47; \
	gpg --batch --verify /tmp/droppriv.sig /usr/local/bin/droppriv; \
	gpgconf --kill all; \
	rm -rf "$GNUPGHOME" /tmp/droppriv.sig; \
	apt-get purge -y --auto-remove $fetchDeps; \
	rm -rf /var/lib/apt/lists/*; \
	chmod 0755 /usr/local/bin/droppriv; \
	droppriv nobody true

# A UTF-8 locale, so new clusters default to a sensible encoding.
RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends locales=2.36-9+deb12u7; \
	rm -rf /var/lib/apt/lists/*; \
	sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen; \
	locale-gen; \
	locale -a | grep -qi 'en_us.utf8'
ENV LANG en_US.utf8

RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		libnss-wrapper=1.1.15-1 \
		xz-utils=5.4.1-0.2 \
		zstd=1.5.4+dfsg2-5 \
	; \
	rm -rf /var/lib/apt/lists/*

RUN mkdir /docker-entrypoint-initdb.d

# The vendor's repository key, stored as a keyring that only this repository may use.
RUN set -eux; \
	fingerprint='6F70F18E120F6C431E252EE7EADA7DB95747084E'; \
	GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
	gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "$fingerprint"; \
	mkdir -p /etc/apt/keyrings; \
	gpg --batch --export "$fingerprint" > /etc/apt/keyrings/pgdg.gpg; \
	gpgconf --kill all; \
	rm -rf "$GNUPGHOME"

ENV PG_MAJOR=16 \
    PG_VERSION=16.3-1.pgdg120+1
ENV PATH $PATH:/usr/lib/postgresql/$PG_MAJOR/bin

RUN set -eux; \
	echo "deb [ signed-by=/etc/apt/keyrings/pgdg.gpg ] http://apt.postgresql.org/pub/repos/apt bookworm-pgdg main $PG_MAJOR" \
		> /etc/apt/sources.list.d/pgdg.list; \
	apt-get update; \
# keep the packaging from creating a default cluster; the entrypoint owns initdb
	mkdir -p /etc/postgresql-common/createcluster.d; \
	echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main.conf; \
	apt-get install -y --no-install-recommends \
		"postgresql-$PG_MAJOR=$PG_VERSION" \
		"postgresql-contrib-$PG_MAJOR=$PG_VERSION" \
	; \
	rm -rf /var/lib/apt/lists/*; \
	postgres --version

# Listen on every interface by default; pg_hba.conf still decides who may connect.
RUN set -eux; \
	sample="/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample"; \
	printf "\nlisten_addresses = '*'\n" >> "$sample"; \
	tail -n 1 "$sample" | grep -qF "listen_addresses = '*'"

# The socket directory is sticky and world-writable like /tmp, so any role can create its socket.
RUN mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql && chmod 3777 /var/run/postgresql

ENV PGDATA /var/lib/postgresql/data
RUN install -d -o postgres -g postgres -m 1777 "$PGDATA"
VOLUME /var/lib/postgresql/data

COPY --chmod=0755 docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]

# SIGINT is the "fast" shutdown: sessions are ended and open transactions rolled back,
# a better fit for a container stop timeout than waiting for every client to leave.
STOPSIGNAL SIGINT

USER postgres
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
	CMD pg_isready -U postgres -h 127.0.0.1 || exit 1

EXPOSE 5432
CMD ["postgres"]
