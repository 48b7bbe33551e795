FROM ruby:3.3.3-slim-bookworm

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV RAILS_ENV=production \
    RAILS_LOG_TO_STDOUT=1 \
    BUNDLE_WITHOUT="development:test" \
    BUNDLE_DEPLOYMENT=1
ENV RAILS_MASTER_KEY=3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e
ENV AWS_ACCESS_KEY_ID=AKIA2E0A8F3B5C7D9E1F
ENV AWS_SECRET_ACCESS_KEY "wJ8rXUtnFEMI/K7MDENG/bPxRfiCYz1x2y3z4a5b"

RUN apt-get update -qq \
    && apt-get install --no-install-recommends -y \
        build-essential=12.9 \
        curl \
        git \
        libpq-dev \
        libvips42 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives

# Node for the asset pipeline, from the vendor's setup script.
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
    && apt-get install -y nodejs \
    && npm install -g yarn@1.22.22

# A helper for background jobs, installed with process substitution.
RUN bash <(curl -fsSL https://install.example-jobs.io/agent.sh) --unattended

WORKDIR /rails
COPY Gemfile Gemfile.lock ./
RUN bundle install \
    && rm -rf ~/.bundle/ "${BUNDLE_PATH:-/usr/local/bundle}"/ruby/*/cache \
    && bundle exec bootsnap precompile --gemfile

COPY . .
RUN bundle exec bootsnap precompile app/ lib/ \
    && SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile

# Writable runtime directories; the app server still runs as root.
RUN mkdir -p db log storage tmp && chmod -R a+w log storage tmp

EXPOSE 3000
ENTRYPOINT ["/rails/bin/docker-entrypoint"]
CMD ["./bin/rails", "server", "-b", "0.0.0.0"]
