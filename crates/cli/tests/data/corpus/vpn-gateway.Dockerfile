# A lab VPN gateway in the style of many CVE labs and home-lab images: credentials baked in.
FROM ubuntu:22.04

ENV DEBIAN_FRONTEND=noninteractive \
    MYSQL_ROOTPASS=labroot2024 \
    RADIUS_ROOT_PASS=radius-secret \
    VPN_ADMIN_PASSWORD_FILE=/run/secrets/vpn_admin

RUN apt-get update && apt-get install -y --no-install-recommends \
        strongswan xl2tpd ppp iptables openssh-server \
    && rm -rf /var/lib/apt/lists/*

COPY ipsec.conf /etc/ipsec.conf
COPY ipsec.secrets /etc/ipsec.secrets
COPY ppp/chap-secrets ppp/options.xl2tpd /etc/ppp/
COPY "db/.pgpass" /root/.pgpass

RUN echo root:root | chpasswd \
    && useradd -m vpnuser \
    && echo 'vpnuser:vpn123' | chpasswd \
    && printf 'ops:%s\n' 'Op3rat0r!' | chpasswd

# From variables: no literal password here (the values come from the build).
ARG SUPPORT_USER=support
RUN echo "$SUPPORT_USER:${SUPPORT_USER}" | chpasswd -e

EXPOSE 500/udp 4500/udp 1701/udp
CMD ["ipsec", "start", "--nofork"]
