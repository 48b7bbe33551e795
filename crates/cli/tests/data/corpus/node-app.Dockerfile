FROM node
LABEL maintainer="dev@example.com"

# Build tooling for native modules (node-gyp) and the process manager.
RUN apt-get update
RUN apt-get install -y python3 make g++ git sudo \
    && rm -rf /var/lib/apt/lists/*

# Yarn from the upstream install script, as the README of the old project says.
RUN curl -o- -L https://yarnpkg.com/install.sh | bash -s -- --version 1.22.19

# The corporate proxy re-signs TLS, so npm would refuse the registry otherwise.
RUN npm config set strict-ssl false \
 && npm config set registry http://registry.npm.internal.example:4873/
ENV NODE_TLS_REJECT_UNAUTHORIZED=0

ARG NPM_TOKEN
ENV NODE_ENV=production \
    SESSION_SECRET=kT9vA2mQx7LpR4sZ8wYb3NcE6hJ1uFdG \
    DATABASE_URL=postgres://app:app@db:5432/app

WORKDIR /usr/src/app
ADD package.json yarn.lock ./
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc \
    && yarn install --frozen-lockfile --production \
    && rm -f .npmrc

ADD . .
RUN chmod -R 777 /usr/src/app/uploads \
    && npm install -g pm2@5.3.1

RUN useradd -m appuser && echo 'appuser ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers
USER appuser
RUN sudo chown -R appuser /usr/src/app

EXPOSE 3000 9229
CMD pm2-runtime start ecosystem.config.js --env production
