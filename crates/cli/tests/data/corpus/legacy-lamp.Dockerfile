FROM ubuntu:latest
MAINTAINER Ops Team <ops@example.com>

ENV DEBIAN_FRONTEND noninteractive
ENV MYSQL_ROOT_PASSWORD changeme123
ENV APACHE_RUN_USER www-data
ENV APACHE_RUN_GROUP www-data

RUN apt-get update
RUN apt-get -y upgrade
RUN apt-get install -y --force-yes --allow-unauthenticated \
        apache2 \
        mysql-server \
        php libapache2-mod-php php-mysql \
        openssh-server \
        supervisor \
        wget \
        vim

# Old internal mirror with a self-signed certificate.
RUN wget --no-check-certificate -q https://mirror.intra.example/tools/phpmyadmin.tar.gz -O /tmp/pma.tar.gz && \
    tar -xzf /tmp/pma.tar.gz -C /var/www/html && \
    rm /tmp/pma.tar.gz

ADD apache-site.conf /etc/apache2/sites-available/000-default.conf
ADD supervisord.conf /etc/supervisor/conf.d/supervisord.conf
ADD site.tar.gz /var/www/html/
ADD https://raw.githubusercontent.com/example/lamp-scripts/master/start.sh /start.sh

RUN mkdir -p /var/run/sshd /var/lock/apache2 /var/run/mysqld && \
    echo 'root:root' | chpasswd && \
    sed -i 's/#\?PermitRootLogin .*/PermitRootLogin yes/' /etc/ssh/sshd_config && \
    chmod 777 /var/www/html /start.sh && \
    chmod u+s /usr/bin/find

RUN service mysql start && \
    mysql -uroot -e "CREATE DATABASE app; GRANT ALL ON app.* TO 'app'@'%' IDENTIFIED BY 'app123';"

VOLUME ["/var/lib/mysql", "/var/www/html"]
EXPOSE 22 80 3306
CMD ["/usr/bin/supervisord", "-n"]
