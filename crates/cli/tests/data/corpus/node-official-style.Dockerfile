# In the style of the official node image: release keys by id and fingerprint, none of them secret.
FROM debian:bookworm-slim

ENV NODE_VERSION=22.11.0 \
    YARN_VERSION=1.22.22 \
    NODE_PGP_KEY_IDS="4ED778F539E3634C779C87C6D7062848A1AB005C 141F07595B7B3FFE74309A937405533BE57C7D57 74F12602B6F1C4E913FAA37AD3A89613643B6201" \
    YARN_GPG_KEY_ID=6A010C5166006599AA17F08146C2130DFD2497F5 \
    TINI_KEY_FINGERPRINT=595E85A6B1B4779EA4DAAEC70B588DFF0527A9B7

ARG GPG_KEYS="C82FA3AE1CBEDC6BE46B9360C43CEC45C17AB93C DD8F2338BAE7501E3DD5AC78C273792F7D83545D"

RUN set -ex \
    && savedAptMark="$(apt-mark showmanual)" \
    && apt-get update && apt-get install -y --no-install-recommends ca-certificates curl gnupg dirmngr xz-utils \
    && for key in $NODE_PGP_KEY_IDS $GPG_KEYS; do \
         gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$key"; \
       done \
    && curl -fsSLO --compressed "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-x64.tar.xz" \
    && curl -fsSLO --compressed "https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt.asc" \
    && gpg --batch --decrypt --output SHASUMS256.txt SHASUMS256.txt.asc \
    && grep " node-v$NODE_VERSION-linux-x64.tar.xz\$" SHASUMS256.txt | sha256sum -c - \
    && tar -xJf "node-v$NODE_VERSION-linux-x64.tar.xz" -C /usr/local --strip-components=1 --no-same-owner \
    && rm "node-v$NODE_VERSION-linux-x64.tar.xz" SHASUMS256.txt.asc SHASUMS256.txt \
    && apt-mark auto '.*' > /dev/null && apt-mark manual $savedAptMark \
    && apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false \
    && rm -rf /var/lib/apt/lists/*

RUN mkdir -p /tmp/npm-cache && chmod ugo+rwx,o+t /tmp/npm-cache && chmod a+rwxt /var/tmp

USER node
CMD ["node"]
