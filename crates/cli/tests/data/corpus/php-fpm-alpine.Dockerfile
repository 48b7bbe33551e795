# syntax=docker/dockerfile:1
FROM php:8.3-fpm-alpine3.20

# Extension installer helper, fetched from its release page (verified) and from a branch (not).
ADD --checksum=sha256:2d1ab3b8ea9dfb3f3ab5a1bbc48d4a8c2f1d62d0d9f0b1f3f3d2d8c3e4a5b6c7 \
    https://github.com/mlocati/docker-php-extension-installer/releases/download/2.2.14/install-php-extensions \
    /usr/local/bin/
ADD https://raw.githubusercontent.com/example/php-tools/main/healthcheck.sh /usr/local/bin/php-fpm-healthcheck

RUN set -eux; \
    chmod +x /usr/local/bin/install-php-extensions /usr/local/bin/php-fpm-healthcheck; \
    install-php-extensions \
        bcmath \
        gd \
        intl \
        opcache \
        pdo_mysql \
        redis-6.0.2 \
        zip

# A package built in-house, not signed with any key the image knows.
COPY packages/ /tmp/packages/
RUN apk update \
    && apk add --no-cache --allow-untrusted /tmp/packages/libexample-1.4.2-r0.apk \
    && apk add --no-cache fcgi=2.4.2-r4 git=2.45.2-r0 openssh=9.7_p1-r4 \
    && rm -rf /tmp/packages

# Composer: the installer is piped straight into PHP.
RUN curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer

ADD ./docker/php/conf.d/ /usr/local/etc/php/conf.d/
ADD ./docker/php-fpm.d/www.conf /usr/local/etc/php-fpm.d/zz-www.conf

WORKDIR /var/www/html
COPY --chown=www-data:www-data composer.json composer.lock ./
RUN composer install --no-dev --no-scripts --no-autoloader --prefer-dist
COPY --chown=www-data:www-data --chmod=0777 storage/ storage/
COPY --chown=www-data:www-data . .
RUN composer dump-autoload --optimize --classmap-authoritative \
    && chmod -R o+w bootstrap/cache \
    && install -d -m 0777 storage/logs storage/framework/sessions

USER www-data
EXPOSE 9000
CMD ["php-fpm"]
