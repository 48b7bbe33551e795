# syntax=docker/dockerfile:1
# A web server built from a signed source release on Alpine.
FROM alpine:3.20.1 AS build

ARG NGINX_VERSION=1.26.1
# Published with the release; checked after the signature.
ARG NGINX_SHA256=fbddd0fa0b7aed66bff612b92dd9b22cc604e6e6a5621966518dcc3afed7f771

RUN set -eux; \
    apk add --no-cache --virtual .build-deps \
        gcc=13.2.1_git20240309-r0 \
        libc-dev=0.7.2-r5 \
        make=4.4.1-r2 \
        openssl-dev=3.3.1-r0 \
        pcre2-dev=10.43-r0 \
        zlib-dev=1.3.1-r1 \
        linux-headers=6.6-r0 \
        gnupg=2.4.5-r0 \
        curl=8.8.0-r0 \
    ; \
    cd /tmp; \
    curl -fsSLO "https://nginx.org/download/nginx-${NGINX_VERSION}.tar.gz"; \
    curl -fsSLO "https://nginx.org/download/nginx-${NGINX_VERSION}.tar.gz.asc"; \
    echo "${NGINX_SHA256} *nginx-${NGINX_VERSION}.tar.gz" | sha256sum -c -; \
    export GNUPGHOME="$(mktemp -d)"; \
    # keys of the release managers; any one of them may sign
    for key in \
        2A6959542FF9006F578324536CE58D4915D7E9D7 \
        F8E511AC8CB45A996FC29653E6309B1D96E563DE \
    ; do \
        gpg --batch --keyserver hkps://keyserver.ubuntu.com --recv-keys "$key"; \
    done; \
    gpg --batch --verify "nginx-${NGINX_VERSION}.tar.gz.asc" "nginx-${NGINX_VERSION}.tar.gz"; \
    gpgconf --kill all; \
    rm -rf "$GNUPGHOME"; \
    tar -xzf "nginx-${NGINX_VERSION}.tar.gz"; \
    cd "nginx-${NGINX_VERSION}"; \
    ./configure \
        --prefix=/etc/nginx \
        --sbin-path=/usr/sbin/nginx \
        --pid-path=/tmp/nginx.pid \
        --http-client-body-temp-path=/tmp/client_temp \
        --user=nginx --group=nginx \
        --with-http_ssl_module \
        --with-http_v2_module \
        --with-http_stub_status_module; \
    make -j"$(getconf _NPROCESSORS_ONLN)"; \
    make install DESTDIR=/out; \
    strip /out/usr/sbin/nginx

FROM alpine:3.20.1
RUN apk add --no-cache pcre2=10.43-r0 zlib=1.3.1-r1 libssl3=3.3.1-r0 tzdata=2024a-r1 \
    && addgroup -g 101 -S nginx \
    && adduser -S -D -H -u 101 -h /var/cache/nginx -s /sbin/nologin -G nginx -g nginx nginx
COPY --from=build /out/ /

# The configuration is written inline; the body is indented with tabs, which <<- strips.
RUN <<-EOF
	set -eu
	mkdir -p /etc/nginx/conf.d /var/cache/nginx
	cat > /etc/nginx/conf.d/default.conf <<-CONF
		server {
		    listen 8080;
		    location / { root /usr/share/nginx/html; }
		    location = /nginx_status { stub_status; allow 127.0.0.1; deny all; }
		}
	CONF
	ln -sf /dev/stdout /var/log/nginx-access.log
	ln -sf /dev/stderr /var/log/nginx-error.log
	chown -R 101:101 /var/cache/nginx /etc/nginx/conf.d
EOF

COPY --chown=101:101 --chmod=0644 html/ /usr/share/nginx/html/
EXPOSE 8080
STOPSIGNAL SIGQUIT
USER 101
HEALTHCHECK --interval=20s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1
CMD ["nginx", "-g", "daemon off;"]
