# syntax=docker/dockerfile:1
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=off

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends build-essential libpq-dev
rm -rf /var/lib/apt/lists/*
EOF

WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt

COPY <<-"EOT" /etc/app/settings.toml
	[server]
	port = 8000
	workers = "${WORKERS}"
	EOT

RUN python3 <<PY
import compileall
compileall.compile_dir("/app", quiet=1)
PY

RUN useradd --create-home appuser
USER appuser
COPY --chown=appuser:appuser . .
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.wsgi:application"]
