# syntax=docker/dockerfile:1.4
# GPU notebook image for the data science team.
ARG CUDA_TAG=12.4.1-cudnn-runtime-ubuntu22.04
FROM nvidia/cuda:${CUDA_TAG}

ARG NB_USER=jovyan
ARG NB_UID=1000
ARG NB_GID=100
ENV CONDA_DIR=/opt/conda \
    SHELL=/bin/bash \
    LC_ALL=C.UTF-8 LANG=C.UTF-8
ENV PATH=${CONDA_DIR}/bin:${PATH}
ENV JUPYTER_TOKEN=c0ffee4d5a6b7c8d9e0f1a2b3c4d5e6f

# The lab's outbound proxy intercepts TLS.
RUN apt-get -o Acquire::https::Verify-Peer=false update \
    && apt-get -o Acquire::https::Verify-Peer=false install -y --no-install-recommends \
        bzip2 ca-certificates curl git sudo tini wget \
    && rm -rf /var/lib/apt/lists/*

RUN <<EOF
set -eux
groupadd --force --gid "${NB_GID}" users
useradd --no-log-init --create-home --shell /bin/bash --uid "${NB_UID}" --gid "${NB_GID}" "${NB_USER}"
# members of the lab may install system packages from a notebook
echo "${NB_USER} ALL=(ALL) NOPASSWD: /usr/bin/apt-get" > /etc/sudoers.d/notebook
mkdir -p "${CONDA_DIR}"
chown "${NB_USER}:${NB_GID}" "${CONDA_DIR}"
EOF

USER ${NB_UID}
WORKDIR /home/${NB_USER}

# Micromamba bootstrap straight from the network, inside a heredoc script.
RUN <<EOF
set -eux
cd /tmp
curl -Ls https://micro.mamba.pm/install.sh | bash
"${HOME}/.local/bin/micromamba" create -y -p "${CONDA_DIR}" -c conda-forge python=3.11 pip
EOF

RUN --mount=type=cache,target=/home/jovyan/.cache/pip,uid=1000 \
    export PYTHONHTTPSVERIFY=0 && \
    pip install --trusted-host pypi.org --trusted-host files.pythonhosted.org \
        jupyterlab==4.2.2 \
        numpy==1.26.4 \
        pandas==2.2.2 \
        scikit-learn==1.5.0 \
        torch==2.3.1

# Lab settings, written by Python itself.
RUN <<PYEOF python3
import json, os, pathlib
cfg = pathlib.Path(os.environ["HOME"]) / ".jupyter" / "jupyter_server_config.json"
cfg.parent.mkdir(parents=True, exist_ok=True)
cfg.write_text(json.dumps({"ServerApp": {"ip": "0.0.0.0", "open_browser": False}}, indent=2))
PYEOF

USER root
RUN chmod -R 777 /home/${NB_USER}/work 2>/dev/null || (mkdir -p /home/${NB_USER}/work && chmod 777 /home/${NB_USER}/work)
USER ${NB_USER}

EXPOSE 8888
ENTRYPOINT ["tini", "-g", "--"]
CMD ["jupyter", "lab", "--no-browser"]
