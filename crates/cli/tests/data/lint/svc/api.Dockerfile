FROM node:latest
ENV NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789ABCD
RUN curl -fsSL https://get.example.com/install.sh | sh
RUN <<EOF
apt-get update
EOF
ADD . /app
EXPOSE 22
CMD ["node", "/app/server.js"]
