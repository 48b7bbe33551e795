"""Generates the manifest corpus of bench/lint.sh: Kubernetes manifests (multi-document YAML, some
JSON) and compose projects, all distinct, of realistic shapes and sizes, deterministic for a
given count. Prints the generated YAML/JSON files, one per line (what both sides read).

    gen_manifests.py OUT_DIR COUNT
"""

import json
import os
import random
import sys

import yaml

out_dir, count = sys.argv[1], int(sys.argv[2])

APPS = ["storefront", "checkout", "search", "catalog", "billing", "auth", "notifier", "gateway",
        "inventory", "reports", "ledger", "media", "recommender", "session", "profile", "audit"]
IMAGES = ["registry.example.com/shop/{app}", "ghcr.io/example/{app}", "docker.io/library/{app}",
          "quay.io/example/{app}"]
SIDE_CARS = [("envoy", "envoyproxy/envoy:v1.31.{r}"), ("statsd", "prom/statsd-exporter:v0.27.{r}"),
             ("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.1.{r}"),
             ("oauth2-proxy", "quay.io/oauth2-proxy/oauth2-proxy:v7.6.{r}")]


def q(s):
    return json.dumps(s)


def env_block(rng, ind, k):
    lines = [f"{ind}env:"]
    for i in range(rng.randrange(2, 12)):
        name = rng.choice(["LOG_LEVEL", "FEATURE", "CACHE_TTL", "UPSTREAM", "REGION", "WORKERS",
                           "TIMEOUT", "POOL_SIZE", "TRACE_SAMPLE"]) + f"_{i}"
        if rng.random() < 0.2:
            lines += [f"{ind}  - name: {name}", f"{ind}    valueFrom:", f"{ind}      secretKeyRef:",
                      f"{ind}        name: app-secrets-{k}", f"{ind}        key: {name.lower()}"]
        elif rng.random() < 0.2:
            lines += [f"{ind}  - name: {name}", f"{ind}    valueFrom:", f"{ind}      fieldRef:",
                      f"{ind}        fieldPath: metadata.namespace"]
        else:
            lines += [f"{ind}  - name: {name}", f"{ind}    value: {q(str(rng.randrange(10000)))}"]
    return lines


def security_context(rng, ind):
    style = rng.randrange(6)
    if style == 0:
        return []
    if style == 1:
        return [f"{ind}securityContext:", f"{ind}  privileged: true"]
    lines = [f"{ind}securityContext:"]
    if rng.random() < 0.8:
        lines.append(f"{ind}  allowPrivilegeEscalation: {q(rng.random() < 0.2)}")
    if rng.random() < 0.7:
        lines.append(f"{ind}  readOnlyRootFilesystem: {q(rng.random() < 0.7)}")
    if rng.random() < 0.5:
        lines.append(f"{ind}  runAsUser: {rng.choice([0, 1000, 10001, 65534])}")
    if rng.random() < 0.6:
        lines += [f"{ind}  capabilities:", f"{ind}    drop: [\"ALL\"]"]
        if rng.random() < 0.3:
            lines.append(f"{ind}    add: [{q(rng.choice(['NET_BIND_SERVICE', 'SYS_ADMIN', 'NET_ADMIN', 'CHOWN']))}]")
    if rng.random() < 0.3:
        lines += [f"{ind}  seccompProfile:", f"{ind}    type: {rng.choice(['RuntimeDefault', 'Unconfined', 'RuntimeDefault'])}"]
    return lines


def container(rng, ind, name, image, k, main):
    lines = [f"{ind}- name: {name}", f"{ind}  image: {image}"]
    if rng.random() < 0.5:
        lines.append(f"{ind}  imagePullPolicy: IfNotPresent")
    if rng.random() < 0.4:
        lines.append(f"{ind}  args: [{', '.join(q(a) for a in rng.sample(['--port=8080', '--metrics', '--log-format=json', '--graceful-timeout=30s', '--max-conns=512'], 3))}]")
    if main:
        lines += [f"{ind}  ports:", f"{ind}    - name: http", f"{ind}      containerPort: 8080"]
        if rng.random() < 0.1:
            lines.append(f"{ind}      hostPort: {rng.choice([80, 8080, 9100])}")
        lines += env_block(rng, ind + "  ", k)
    if rng.random() < 0.8:
        lines += [f"{ind}  resources:", f"{ind}    requests:", f"{ind}      cpu: {rng.choice(['50m', '100m', '250m'])}",
                  f"{ind}      memory: {rng.choice(['64Mi', '128Mi', '256Mi'])}"]
        if rng.random() < 0.7:
            lines += [f"{ind}    limits:", f"{ind}      memory: {rng.choice(['128Mi', '512Mi', '1Gi'])}"]
            if rng.random() < 0.5:
                lines.append(f"{ind}      cpu: {q(rng.choice(['500m', '1', '2']))}")
    if main and rng.random() < 0.8:
        for probe in ["readinessProbe", "livenessProbe"]:
            lines += [f"{ind}  {probe}:", f"{ind}    httpGet:", f"{ind}      path: /{'ready' if probe[0] == 'r' else 'healthz'}",
                      f"{ind}      port: http", f"{ind}    periodSeconds: {rng.choice([5, 10, 20])}"]
    lines += security_context(rng, ind + "  ")
    mounts = rng.randrange(0, 4)
    if mounts:
        lines.append(f"{ind}  volumeMounts:")
        for i in range(mounts):
            lines += [f"{ind}    - name: vol-{i}", f"{ind}      mountPath: /data/{i}"]
            if rng.random() < 0.5:
                lines.append(f"{ind}      readOnly: true")
    return lines, mounts


def volumes(rng, ind, n, k):
    lines = [f"{ind}volumes:"] if n else []
    for i in range(n):
        lines.append(f"{ind}  - name: vol-{i}")
        kind = rng.randrange(5)
        if kind == 0:
            lines += [f"{ind}    hostPath:", f"{ind}      path: {rng.choice(['/var/log', '/var/lib/docker/containers', '/etc/ssl/certs', '/run/docker.sock', '/mnt/data'])}"]
        elif kind == 1:
            lines += [f"{ind}    configMap:", f"{ind}      name: config-{k}"]
        elif kind == 2:
            lines += [f"{ind}    secret:", f"{ind}      secretName: app-secrets-{k}"]
        elif kind == 3:
            lines += [f"{ind}    persistentVolumeClaim:", f"{ind}      claimName: data-{k}-{i}"]
        else:
            lines += [f"{ind}    emptyDir: {{}}"]
    return lines


def pod_spec(rng, ind, app, k):
    lines = []
    if rng.random() < 0.6:
        lines.append(f"{ind}serviceAccountName: {app}")
    if rng.random() < 0.1:
        lines.append(f"{ind}hostNetwork: true")
    if rng.random() < 0.05:
        lines.append(f"{ind}hostPID: true")
    if rng.random() < 0.6:
        lines += [f"{ind}securityContext:", f"{ind}  runAsNonRoot: {q(rng.random() < 0.8)}",
                  f"{ind}  runAsUser: {rng.choice([1000, 10001, 65534])}", f"{ind}  fsGroup: 2000"]
        if rng.random() < 0.6:
            lines += [f"{ind}  seccompProfile:", f"{ind}    type: RuntimeDefault"]
    image = rng.choice(IMAGES).format(app=app) + f":{rng.randrange(1, 4)}.{rng.randrange(30)}.{k % 50}"
    max_mounts = 0
    if rng.random() < 0.3:
        lines.append(f"{ind}initContainers:")
        c, m = container(rng, ind + "  ", "init-config", f"busybox:1.36.{k % 10}", k, False)
        lines += c
        max_mounts = max(max_mounts, m)
    lines.append(f"{ind}containers:")
    c, m = container(rng, ind + "  ", app, image, k, True)
    lines += c
    max_mounts = max(max_mounts, m)
    for _ in range(rng.randrange(0, 3)):
        name, side = rng.choice(SIDE_CARS)
        c, m = container(rng, ind + "  ", f"{name}-{rng.randrange(100)}", side.format(r=rng.randrange(10)), k, False)
        lines += c
        max_mounts = max(max_mounts, m)
    lines += volumes(rng, ind, max_mounts, k)
    return lines


def metadata(rng, name, ns, k, ind=""):
    lines = [f"{ind}metadata:", f"{ind}  name: {name}", f"{ind}  namespace: {ns}", f"{ind}  labels:",
             f"{ind}    app.kubernetes.io/name: {name}", f"{ind}    app.kubernetes.io/instance: {name}-{k}",
             f"{ind}    app.kubernetes.io/version: \"1.{k % 40}.{k % 7}\""]
    if rng.random() < 0.5:
        lines += [f"{ind}  annotations:", f"{ind}    example.com/owner: team-{rng.randrange(20)}",
                  f"{ind}    example.com/revision: \"{k}-{rng.randrange(10**6)}\""]
    return lines


def template(rng, ind, app, k):
    return ([f"{ind}template:", f"{ind}  metadata:", f"{ind}    labels:", f"{ind}      app.kubernetes.io/name: {app}",
             f"{ind}  spec:"] + pod_spec(rng, ind + "    ", app, k))


def workload(rng, app, ns, k):
    kind = rng.choices(["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod"],
                       [40, 10, 10, 10, 10, 10])[0]
    api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "CronJob": "batch/v1",
           "Job": "batch/v1", "Pod": "v1"}[kind]
    lines = [f"apiVersion: {api}", f"kind: {kind}"] + metadata(rng, app, ns, k) + ["spec:"]
    if kind == "Pod":
        return lines + pod_spec(rng, "  ", app, k)
    if kind == "CronJob":
        return lines + [f"  schedule: \"{k % 60} {k % 24} * * *\"", "  jobTemplate:", "    spec:"] + template(rng, "      ", app, k)
    if kind in ("Deployment", "StatefulSet"):
        lines.append(f"  replicas: {rng.randrange(1, 6)}")
    if kind != "Job":
        lines += ["  selector:", "    matchLabels:", f"      app.kubernetes.io/name: {app}"]
    return lines + template(rng, "  ", app, k)


def companion(rng, app, ns, k):
    kind = rng.choice(["Service", "ConfigMap", "Ingress", "HorizontalPodAutoscaler", "ServiceAccount"])
    if kind == "Service":
        return ["apiVersion: v1", "kind: Service"] + metadata(rng, app, ns, k) + [
            "spec:", "  selector:", f"    app.kubernetes.io/name: {app}", "  ports:", "    - name: http",
            "      port: 80", "      targetPort: http"]
    if kind == "ConfigMap":
        lines = ["apiVersion: v1", "kind: ConfigMap"] + metadata(rng, f"config-{k}", ns, k) + ["data:", "  app.yaml: |"]
        for i in range(rng.randrange(5, 60)):
            lines.append(f"    setting_{i}: {rng.choice(['true', 'false', str(rng.randrange(10**6)), 'https://api.example.com/v1'])}")
        return lines
    if kind == "Ingress":
        return ["apiVersion: networking.k8s.io/v1", "kind: Ingress"] + metadata(rng, app, ns, k) + [
            "spec:", "  ingressClassName: nginx", "  rules:", f"    - host: {app}-{k}.example.com", "      http:",
            "        paths:", "          - path: /", "            pathType: Prefix", "            backend:",
            "              service:", f"                name: {app}", "                port:", "                  name: http"]
    if kind == "HorizontalPodAutoscaler":
        return ["apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler"] + metadata(rng, app, ns, k) + [
            "spec:", "  scaleTargetRef:", "    apiVersion: apps/v1", "    kind: Deployment", f"    name: {app}",
            "  minReplicas: 2", f"  maxReplicas: {rng.randrange(3, 20)}", "  metrics:", "    - type: Resource",
            "      resource:", "        name: cpu", "        target:", "          type: Utilization",
            f"          averageUtilization: {rng.randrange(50, 90)}"]
    return ["apiVersion: v1", "kind: ServiceAccount"] + metadata(rng, app, ns, k)


def manifest(rng, k):
    app = f"{rng.choice(APPS)}-{k}"
    ns = rng.choice(["default", "shop", "payments", "platform", "observability"])
    docs = [workload(rng, app, ns, k)]
    for _ in range(rng.randrange(0, 4)):
        docs.append(companion(rng, app, ns, k))
    rng.shuffle(docs)
    return f"# generated by bench/lint.sh: manifest {k}\n" + "---\n".join("\n".join(d) + "\n" for d in docs)


def compose(rng, k):
    lines = [f"# generated by bench/lint.sh: compose project {k}", f"name: bench-{k}", "",
             "x-defaults: &defaults", "  restart: unless-stopped", "  logging:", "    driver: json-file",
             "    options:", "      max-size: \"10m\""]
    if rng.random() < 0.5:
        lines += ["  read_only: true", "  cap_drop: [ALL]", "  security_opt:", "    - no-new-privileges:true"]
    lines += ["  environment: &env", f"    APP_ENV: ${{APP_ENV:-production}}", f"    BUILD: \"{k}\"", "", "services:"]
    names = []
    for s in range(rng.randrange(2, 9)):
        name = f"{rng.choice(APPS)}-{s}"
        if name in names:
            continue
        names.append(name)
        lines += [f"  {name}:", "    <<: *defaults",
                  f"    image: {rng.choice(IMAGES).format(app=name)}:${{TAG:-1.{k % 30}.{s}}}"]
        if rng.random() < 0.5:
            lines.append(f"    command: [{', '.join(q(a) for a in ['serve', '--port', str(8000 + s)])}]")
        if rng.random() < 0.6:
            lines += ["    ports:", f"      - \"{rng.choice(['', '127.0.0.1:'])}{8000 + s + k % 100}:{8000 + s}\""]
        if rng.random() < 0.5:
            lines += ["    volumes:", f"      - {rng.choice(['./data', '/var/run/docker.sock', '/srv/' + name, 'cache'])}:/data/{s}"]
        if rng.random() < 0.15:
            lines.append("    privileged: true")
        if rng.random() < 0.1:
            lines.append("    network_mode: host")
        if rng.random() < 0.5:
            lines += ["    user: \"10001\"", "    mem_limit: 512m", "    pids_limit: 200"]
        if rng.random() < 0.5:
            lines += ["    healthcheck:", f"      test: [\"CMD\", \"wget\", \"-qO-\", \"http://127.0.0.1:{8000 + s}/health\"]",
                      "      interval: 30s"]
        lines += ["    environment:", "      <<: *env", f"      SERVICE: {name}"]
        if rng.random() < 0.4:
            lines += ["    deploy:", "      resources:", "        limits:", f"          cpus: \"{rng.choice(['0.5', '1', '2'])}\"",
                      "          memory: 1g"]
    lines += ["", "volumes:", "  cache:", ""]
    return "\n".join(lines)


files = []
seen = set()
for k in range(count):
    rng = random.Random(k)
    if k % 5 == 4:
        text = compose(rng, k)
        layout = k % 3
        if layout == 0:
            rel = f"compose/{k:05d}.compose.yaml"
        elif layout == 1:
            rel = f"compose/proj-{k:05d}/compose.yaml"
        else:
            rel = f"compose/proj-{k:05d}/docker-compose.yml"
    elif k % 25 == 3:
        # Some manifests are JSON (kubectl -o json).
        docs = [d for d in yaml.safe_load_all(manifest(rng, k)) if d]
        text = json.dumps(docs[0] if len(docs) == 1 else {"apiVersion": "v1", "kind": "List", "items": docs}, indent=2) + "\n"
        rel = f"k8s/{k % 7}/m-{k:05d}.json"
    else:
        text = manifest(rng, k)
        rel = f"k8s/{k % 7}/m-{k:05d}.{'yml' if k % 2 else 'yaml'}"
    if text in seen:
        sys.exit(f"variant {k} is not distinct")
    seen.add(text)
    path = os.path.join(out_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    files.append(path)
print("\n".join(files))
