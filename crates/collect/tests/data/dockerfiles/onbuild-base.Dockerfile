FROM ruby:3.3-slim-bookworm
# dockward ignore=DW3001 the bundler config is intentionally global
RUN bundle config --global frozen 1

RUN mkdir -p /usr/src/app
WORKDIR /usr/src/app

ONBUILD COPY Gemfile Gemfile.lock /usr/src/app/
ONBUILD RUN bundle install --jobs "$(nproc)" \
    && rm -rf /usr/local/bundle/cache
ONBUILD COPY . /usr/src/app

HEALTHCHECK --interval=1m --timeout=10s --retries=3 CMD ["curl", "-fsS", "http://localhost:3000/up"]
STOPSIGNAL SIGTERM
CMD ["bundle", "exec", "puma", "-C", "config/puma.rb"]
