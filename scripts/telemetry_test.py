#!/usr/bin/env python3
"""The telemetry stack and the installer against real programs (run by scripts/telemetry_test.sh).

- The Grafana dashboard's structure; the alert rules (promtool check rules); the compose file for
  each tier's profiles (docker-compose config); install_tier.sh --dry-run for each tier and an
  unknown tier (exit 2).
- A real `docket serve` on a scratch storage folder with synthetic usage (tenants onboarded,
  usage events recorded, a document ingested, queries and timeline requests), scraped by
  Debian's Prometheus with a configuration derived from infra/prometheus/prometheus-native.yml:
  promtool check config and check metrics, then every PromQL expression of
  infra/grafana/dashboards/customer_health.json and infra/prometheus/alerts.yml must return data
  through Prometheus's HTTP API (DocketDown once docket is stopped).
- A native install into a temporary folder (install_tier.sh --native with DOCKET_BIN): it
  starts, answers /health, serves the UI, keeps its generated secret when run again, and
  stop_tier.sh stops it cleanly.

Prints each check and a closing "N passed, M failed" line; exits 1 on any failure.
"""

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("DOCKET_BIN", ROOT / "target/debug/docket")).resolve()
DASHBOARD = ROOT / "infra/grafana/dashboards/customer_health.json"
ALERTS = ROOT / "infra/prometheus/alerts.yml"
NATIVE_PROM = ROOT / "infra/prometheus/prometheus-native.yml"
COMPOSE_PROM = ROOT / "infra/prometheus/prometheus.yml"
DATASOURCE = ROOT / "infra/grafana/provisioning/datasources/prometheus.yml"
PROVIDER = ROOT / "infra/grafana/provisioning/dashboards/customer_intelligence.yml"
TIERS = ["community", "professional", "enterprise"]
SECRET = "telemetry-test-secret-0123456789-abcdef"

passed = 0
failed = []


def check(ok, what, detail=""):
    global passed
    if ok:
        passed += 1
        print(f"ok    {what}")
    else:
        failed.append(what)
        print(f"FAIL  {what}" + (f"\n      {detail}" if detail else ""))
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None, accept=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, str(e)


def wait_for(what, predicate, seconds=30.0, every=0.25):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return check(False, f"{what} within {seconds:.0f} s")


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)


def yaml_exprs(path):
    """The `expr:` lines of a rules file (each must fit on its line: checked)."""
    exprs = []
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*expr:\s*(.*)$", line)
        if m:
            exprs.append(m.group(1).strip())
    return exprs


# --- static checks -------------------------------------------------------------------------


def dashboard_structure():
    dash = json.loads(DASHBOARD.read_text())
    ds_uid = re.search(r"^\s*uid:\s*(\S+)", DATASOURCE.read_text(), re.M).group(1)
    provider = PROVIDER.read_text()
    check("folder: Customer Intelligence" in provider, "the dashboard provider puts dashboards in 'Customer Intelligence'")
    check(
        "path: /var/lib/grafana/dashboards" in provider
        and "./grafana/dashboards:/var/lib/grafana/dashboards" in (ROOT / "infra/docker-compose.yml").read_text(),
        "the provider reads the folder compose mounts infra/grafana/dashboards into",
    )
    uids = [json.loads(p.read_text()).get("uid") for p in DASHBOARD.parent.glob("*.json")]
    check(len(uids) == len(set(uids)) and all(uids), "dashboard uids are set and unique", str(uids))
    panels = dash["panels"]
    ids = [p["id"] for p in panels]
    check(len(ids) == len(set(ids)), "panel ids are unique", str(ids))
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "datasource" in node:
                refs.append(node["datasource"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(dash)
    bad = [r for r in refs if not (isinstance(r, dict) and r.get("uid") == ds_uid and r.get("type") == "prometheus")]
    check(refs and not bad, f"every datasource reference names the provisioned datasource '{ds_uid}'", str(bad))
    for p in panels:
        for t in p.get("targets", []):
            check(bool(t.get("refId")) and bool(t.get("expr")), f"panel '{p['title']}' target {t.get('refId')} has an expression")
    ratio = [p for p in panels if "docket_tenant_usage_ratio" in json.dumps(p.get("targets")) and "Usage ratio" in p["title"]]
    steps = [s.get("value") for p in ratio for s in p["fieldConfig"]["defaults"]["thresholds"]["steps"]]
    drawn = [p["fieldConfig"]["defaults"].get("custom", {}).get("thresholdsStyle", {}).get("mode", "off") for p in ratio]
    check(ratio and 0.80 in steps and 0.95 in steps, "the usage-ratio panel has thresholds at 0.80 and 0.95", str(steps))
    check(ratio and all(m != "off" for m in drawn), "the usage-ratio thresholds are drawn", str(drawn))
    names = {v["name"] for v in dash["templating"]["list"]}
    check({"plan", "tenant"} <= names, "template variables plan and tenant exist", str(names))
    titles = " | ".join(p["title"].lower() for p in panels)
    for word in ["health", "usage ratio", "projected monthly cost", "events by kind", "latency p95", "sla", "flagged"]:
        check(word in titles, f"a panel shows {word}")
    return dash


def static_checks():
    dash = dashboard_structure()
    for line in ALERTS.read_text().splitlines():
        if re.match(r"^\s*expr:\s*[|>]", line):
            check(False, "alert expressions fit on their line (this test reads them so)", line)
    alert_text = ALERTS.read_text()
    for name in ["DocketDown", "TenantQuotaSoft", "TenantQuotaHard", "TenantHealthLow"]:
        check(f"alert: {name}" in alert_text, f"alerts.yml has {name}")
    check(">= 0.80" in alert_text and ">= 0.95" in alert_text and "< 0.75" in alert_text, "alert thresholds 0.80, 0.95 and health 0.75")
    r = run(["promtool", "check", "rules", str(ALERTS)])
    check(r.returncode == 0, "promtool check rules infra/prometheus/alerts.yml", r.stdout + r.stderr)

    # Compose file, once per tier with the tier's profiles.
    compose_file = ROOT / "infra/docker-compose.yml"
    for tier in TIERS:
        env_file = ROOT / f"infra/profiles/{tier}.env"
        profiles = re.search(r"^COMPOSE_PROFILES=(.*)$", env_file.read_text(), re.M).group(1).strip()
        args = [a for p in profiles.split(",") if p for a in ("--profile", p)]
        env = dict(os.environ, DOCKET_ENV_FILE=str(env_file))
        r = run(["docker-compose", "--env-file", str(env_file), "-f", str(compose_file), *args, "config"], env=env)
        check(r.returncode == 0, f"docker-compose config validates the {tier} stack ({profiles or 'base only'})", r.stderr)
        expected = {"community": "", "professional": "telemetry", "enterprise": "telemetry,grafana"}[tier]
        check(profiles == expected, f"{tier} starts the profiles '{expected}'", profiles)
        for key in ["DOCKET_TIER", "OTEL_EXPORTER_OTLP_ENDPOINT", "DOCKET_METRICS_TOKEN_REQUIRED", "GRAFANA_ADMIN_PASSWORD"]:
            check(re.search(rf"^{key}=", env_file.read_text(), re.M) is not None, f"{tier}.env sets {key}")
        check("GRAFANA_ADMIN_PASSWORD=generate" in env_file.read_text(), f"{tier}.env commits a placeholder, not a secret")
        check(re.search(rf"^DOCKET_DEFAULT_PLAN={tier}$", env_file.read_text(), re.M) is not None,
              f"{tier}.env gives new tenants the {tier} plan")
        for key in ["DOCKET_PLAN_OVERRIDES", "DOCKET_SUPPORT_OVERRIDES"]:
            check(re.search(rf"^{key}=$", env_file.read_text(), re.M) is not None, f"{tier}.env lists no {key} by default")
        readme = (ROOT / "README.md").read_text()
        missing = [k for k in re.findall(r"^(DOCKET_\w+)=", env_file.read_text(), re.M) if f"`{k}`" not in readme]
        check(not missing, f"every DOCKET_* variable of {tier}.env is in the README", str(missing))
    services = run(["docker-compose", "-f", str(compose_file), "--env-file", str(ROOT / "infra/profiles/enterprise.env"), "config"],
                   env=dict(os.environ, DOCKET_ENV_FILE=str(ROOT / "infra/profiles/enterprise.env"))).stdout
    for svc, profile in [("otel-collector", "telemetry"), ("prometheus", "telemetry"), ("grafana", "grafana")]:
        block = re.search(rf"^  {svc}:\n((?:    .*\n|\s*\n)*)", services, re.M)
        check(block is not None and re.search(rf"profiles:\s*\n\s*- {profile}", block.group(1)) is not None,
              f"{svc} belongs to the compose profile {profile}")

    # install_tier.sh --dry-run, each tier, both modes: every step printed, nothing done.
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DOCKET_STORAGE_DIR=f"{tmp}/storage", DOCKET_ENV_FILE=f"{tmp}/.env", DOCKET_BIND="127.0.0.1:18080")
        env.pop("DOCKET_BIN", None)
        for tier in TIERS:
            expected = {"community": [], "professional": ["--profile telemetry"], "enterprise": ["--profile telemetry --profile grafana"]}[tier]
            r = run(["bash", str(ROOT / "scripts/install_tier.sh"), tier, "--dry-run", "--compose"], env=env)
            out = r.stdout
            ok = (r.returncode == 0 and f"write {tmp}/.env from {ROOT}/infra/profiles/{tier}.env" in out
                  and f"install -d -m 0700 {tmp}/storage/billing" in out
                  and re.search(r"docker(-| )compose --env-file \S+ -f \S+docker-compose.yml " + " ".join(expected) + r"\s*up -d --build", out))
            check(bool(ok), f"install_tier.sh {tier} --dry-run --compose prints the env file, storage folders and compose command", out + r.stderr)
            r = run(["bash", str(ROOT / "scripts/install_tier.sh"), tier, "--dry-run", "--native"], env=env)
            out = r.stdout
            # `run` prints commands shell-quoted (%q): spaces inside the npm step are escaped.
            ok = (r.returncode == 0 and re.search(r"npm\\? ci.*npm\\? run\\? build", out) is not None
                  and "cargo build --release --locked -p docket" in out
                  and "docket serve" in out and "wait for http://127.0.0.1:18080/health" in out)
            check(ok, f"install_tier.sh {tier} --dry-run --native prints the builds, the start and the health wait", out + r.stderr)
        check(not Path(f"{tmp}/.env").exists() and not Path(f"{tmp}/storage").exists(), "--dry-run changed nothing")
        r = run(["bash", str(ROOT / "scripts/install_tier.sh"), "platinum"], env=env)
        check(r.returncode == 2 and "usage:" in r.stderr, "an unknown tier prints usage and exits 2", f"{r.returncode} {r.stderr}")
        r = run(["bash", str(ROOT / "scripts/install_tier.sh")], env=env)
        check(r.returncode == 2, "no tier exits 2")
    return dash


# --- a running docket scraped by Prometheus ---------------------------------------------------


def token(env, *args):
    r = run([str(BIN), "token", *args], env=env)
    if r.returncode != 0:
        raise RuntimeError(f"docket token {args}: {r.stderr}")
    return r.stdout.strip()


def intake(org, seats):
    return {
        "organization": org, "contact_name": "Ana Ortiz", "contact_email": "ana@example.com",
        "primary_use_case": "Privilege review for discovery", "departments": ["Litigation"], "seats": seats,
        "estimated_matters_per_month": 20, "roi_baseline_hours_per_matter": 12, "automation_target_percent": 35,
        "success_criteria": ["Privilege log in a day"], "go_live_date": "2027-01-15",
    }


def synthetic_usage(base, env, round_no, tenants):
    service = token(env, "--aud", "docket-billing", "--role", "AutomationService", "--scope", "billing:write")
    # Busy Firm: 490 of 500 queries by the end (hard alert, flagged); Steady Firm: 420 (soft).
    for tenant, total in [(tenants["busy"], 490), (tenants["steady"], 420)]:
        half = total // 2
        events = [{"event_id": f"r{round_no}-{i}", "tenant_id": tenant, "kind": "query", "latency_ms": 5 + i % 40} for i in range(half)]
        events += [{"event_id": f"r{round_no}-t{i}", "tenant_id": tenant, "kind": "timeline", "latency_ms": 20 + i} for i in range(3)]
        status, body = http("POST", f"{base}/billing/events", {"events": events}, service)
        check(status == 200, f"round {round_no}: usage events recorded for {tenant}", body)
    quiet = tenants["quiet"]
    writer = token(env, "--tenant", quiet, "--aud", "docket-api", "--role", "CaseCoordinator", "--scope", "ingest:write", "--scope", "ingest:read")
    reader = token(env, "--tenant", quiet, "--aud", "docket-api", "--role", "ResearchAnalyst", "--scope", "query:read", "--scope", "timeline:read", "--sub", f"analyst-{round_no}")
    doc = {"sources": [{"type": "inline", "name": f"memo-{round_no}.txt", "content": f"Settlement {round_no} of $250,000 agreed on 4 May 2021 with Globex."}]}
    status, body = http("POST", f"{base}/ingest", doc, writer)
    job = json.loads(body).get("job_id") if status == 202 else None
    check(job is not None, f"round {round_no}: an ingestion job starts", body)
    if job:
        wait_for(f"round {round_no}: the ingestion job is metered",
                 lambda: (lambda s_b: s_b[0] == 200 and json.loads(s_b[1]).get("metered") is True)(http("GET", f"{base}/ingest/{job}", token=writer)))
    for q in ["settlement", "Globex", "agreed"]:
        status, body = http("GET", f"{base}/query?q={q}", token=reader)
        check(status == 200, f"round {round_no}: query '{q}' answers", body)
    for _ in range(2):
        status, body = http("GET", f"{base}/timeline", token=reader)
        check(status == 200, f"round {round_no}: timeline answers", body)


def wait_scraped(base, prom, round_no):
    """Wait until Prometheus holds the latency counts docket shows now."""
    text = http("GET", f"{base}/metrics")[1]
    for name in ["docket_query_duration_seconds_count", "docket_timeline_duration_seconds_count"]:
        m = re.search(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M)
        want = float(m.group(1)) if m else None
        check(want is not None and want > 0, f"round {round_no}: /metrics shows {name}")

        def scraped():
            result = promql(prom, name)[0]
            return bool(result) and float(result[0]["value"][1]) == want

        if wait_for(f"round {round_no}: Prometheus scraped {name} = {want}", scraped):
            check(True, f"round {round_no}: Prometheus scraped {name} = {want}")


def promql(prom, expr):
    status, body = http("GET", f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    if status != 200:
        return None, body
    data = json.loads(body)["data"]
    return data["result"], body


def has_data(result):
    """A non-empty vector with at least one number (NaN counts as no data)."""
    if not result:
        return False
    values = [r["value"][1] for r in result]
    return any(v not in ("NaN", "+Inf", "-Inf") for v in values)


def returns_data(prom, expr, answer, seconds=20.0):
    """Whether `expr` returns data within `seconds` (the last answer is kept for the report)."""
    deadline = time.monotonic() + seconds
    while True:
        result, body = promql(prom, expr)
        answer[0] = body
        if has_data(result):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def substitute(expr):
    return (expr.replace("$__rate_interval", "1m").replace("$__range", "5m").replace("$__interval", "15s")
            .replace('"$plan"', '".*"').replace('"$tenant"', '".*"'))


def live_checks(dash, work):
    port, pport = free_port(), free_port()
    base, prom = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{pport}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and not k.startswith("DOCKET_")}
    env.update(DOCKET_STORAGE_DIR=f"{work}/storage", DOCKET_BIND=f"127.0.0.1:{port}", DOCKET_JWT_SECRET=SECRET,
               DOCKET_ONBOARDING_RATE_PER_MINUTE="1000", DOCKET_SNAPSHOT_DELAY_MS="200", OTEL_METRIC_EXPORT_INTERVAL="1000")
    log = open(f"{work}/docket.log", "w")
    docket = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    prometheus = None
    try:
        if not wait_for("docket answers /health", lambda: http("GET", f"{base}/health")[0] == 200):
            return
        # Prometheus: prometheus-native.yml with this docket's address, 1 s intervals and the
        # rules file by absolute path.
        cfg = NATIVE_PROM.read_text()
        derived = (cfg.replace('"127.0.0.1:8080"', f'"127.0.0.1:{port}"').replace("scrape_interval: 15s", "scrape_interval: 1s")
                   .replace("evaluation_interval: 15s", "evaluation_interval: 1s").replace("- alerts.yml", f"- {ALERTS}"))
        check(derived.count(f"127.0.0.1:{port}") == 1 and "1s" in derived and str(ALERTS) in derived,
              "the Prometheus configuration derives from prometheus-native.yml", derived)
        cfg_path = Path(work) / "prometheus.yml"
        cfg_path.write_text(derived)
        r = run(["promtool", "check", "config", str(cfg_path)])
        check(r.returncode == 0, "promtool check config (native: docket's /metrics)", r.stdout + r.stderr)
        compose_cfg = Path(work) / "prometheus-compose.yml"
        compose_cfg.write_text(COMPOSE_PROM.read_text().replace("/etc/prometheus/alerts.yml", str(ALERTS)))
        r = run(["promtool", "check", "config", str(compose_cfg)])
        check(r.returncode == 0, "promtool check config (compose: the collector)", r.stdout + r.stderr)
        plog = open(f"{work}/prometheus.log", "w")
        prometheus = subprocess.Popen(["prometheus", f"--config.file={cfg_path}", f"--storage.tsdb.path={work}/tsdb",
                                       f"--web.listen-address=127.0.0.1:{pport}"], stdout=plog, stderr=subprocess.STDOUT)
        wait_for("Prometheus is ready", lambda: http("GET", f"{prom}/-/ready")[0] == 200)

        tenants = {}
        for key, org in [("busy", "Busy Firm"), ("steady", "Steady Firm"), ("quiet", "Quiet Firm")]:
            status, body = http("POST", f"{base}/onboarding", intake(org, 3))
            check(status == 201, f"{org} onboarded", body)
            tenants[key] = json.loads(body)["tenant_id"] if status == 201 else key
        # Two rounds, each scraped before going on, so that rates and quantiles see increases
        # (Prometheus's first scrape comes a few seconds after it is ready).
        wait_for("Prometheus scrapes docket", lambda: has_data(promql(prom, 'up{job="docket"} == 1')[0]))
        for round_no in (1, 2):
            synthetic_usage(base, env, round_no, tenants)
            wait_scraped(base, prom, round_no)

        status, metrics = http("GET", f"{base}/metrics")
        check(status == 200, "GET /metrics answers")
        (Path(work) / "metrics.txt").write_text(metrics)
        r = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True, text=True)
        check(r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), "promtool check metrics finds no problem in /metrics",
              r.stdout + r.stderr)

        # Every dashboard expression, with the template variables at "All".
        exprs = [(p["title"], t["refId"], t["expr"]) for p in dash["panels"] for t in p.get("targets", [])]
        for title, ref, expr in exprs:
            q = substitute(expr)
            answer = [None]
            if returns_data(prom, q, answer):
                check(True, f"dashboard '{title}' {ref} returns data: {q}")
            else:
                check(False, f"dashboard '{title}' {ref} returns data: {q}", str(answer[0]))
        for var in dash["templating"]["list"]:
            m = re.match(r"label_values\((.*),\s*(\w+)\)$", var["query"]["query"])
            match, label = substitute(m.group(1)), m.group(2)
            status, body = http("GET", f"{prom}/api/v1/label/{label}/values?" + urllib.parse.urlencode({"match[]": match}))
            values = json.loads(body)["data"] if status == 200 else []
            check(bool(values), f"template variable ${var['name']} has values {values}", body)
        # Every alert expression but DocketDown now (it needs docket down: below).
        alert_exprs = yaml_exprs(ALERTS)
        check(len(alert_exprs) >= 4, "alerts.yml expressions found", str(alert_exprs))
        for expr in alert_exprs:
            if 'up{job="docket"}' in expr:
                continue
            answer = [None]
            check(returns_data(prom, expr, answer), f"alert expression returns data: {expr}", str(answer[0]))
        status, body = http("GET", f"{prom}/api/v1/rules")
        groups = json.loads(body)["data"]["groups"] if status == 200 else []
        rules = [r for g in groups for r in g["rules"]]
        check(rules and all(r.get("health") == "ok" for r in rules), f"Prometheus evaluates all {len(rules)} rules without error",
              json.dumps([(r["name"], r.get("health"), r.get("lastError")) for r in rules]))

        # Docket stops cleanly (SIGTERM) and DocketDown's expression then has data.
        docket.send_signal(signal.SIGTERM)
        try:
            code = docket.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        check(code == 0, "docket stops cleanly on SIGTERM", f"exit {code}")
        for expr in [e for e in alert_exprs if 'up{job="docket"}' in e]:
            answer = [None]
            check(returns_data(prom, expr, answer), f"alert expression returns data once docket is down: {expr}", str(answer[0]))
    finally:
        for p in [docket, prometheus]:
            if p and p.poll() is None:
                p.kill()
                p.wait()
        log.close()


# --- a native install in a temporary folder ----------------------------------------------------


def native_install(work):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    storage, env_file = f"{work}/native/storage", f"{work}/native/tier.env"
    Path(f"{work}/native").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and not k.startswith("DOCKET_")}
    env.update(DOCKET_BIN=str(BIN), DOCKET_STORAGE_DIR=storage, DOCKET_ENV_FILE=env_file, DOCKET_BIND=f"127.0.0.1:{port}")
    r = run(["bash", str(ROOT / "scripts/install_tier.sh"), "community", "--native"], env=env, timeout=120)
    check(r.returncode == 0 and f"runs at http://127.0.0.1:{port}/" in r.stdout, "native install starts and prints its URL",
          r.stdout + r.stderr)
    check("token --aud docket-billing" in r.stdout, "native install prints a first admin token command")
    pid_file = Path(storage) / "run/docket.pid"
    try:
        check(pid_file.exists() and (Path(storage) / "run/docket.log").exists(), "pid file and log file are written")
        check(all((Path(storage) / d).is_dir() for d in ["billing", "secrets", "documents", "run"]), "storage folders are created")
        mode = stat.S_IMODE(os.stat(env_file).st_mode) if Path(env_file).exists() else None
        check(mode == 0o600, "the tier's .env is written 0600", oct(mode or 0))
        secret = re.search(r"^GRAFANA_ADMIN_PASSWORD=(.*)$", Path(env_file).read_text(), re.M).group(1)
        check(secret != "generate" and len(secret) >= 32, "the placeholder secret is replaced by a generated one")
        status, body = http("GET", f"{base}/health")
        check(status == 200 and json.loads(body).get("status") == "ok", "native install answers /health", body)
        status, page = http("GET", f"{base}/dashboard", accept="text/html")
        check(status == 200 and '<div id="root">' in page, "native install serves the UI", page[:200])
        r = run(["bash", str(ROOT / "scripts/install_tier.sh"), "community", "--native"], env=env, timeout=60)
        check(r.returncode == 0 and "already runs" in r.stdout, "running the install again is harmless", r.stdout + r.stderr)
        again = re.search(r"^GRAFANA_ADMIN_PASSWORD=(.*)$", Path(env_file).read_text(), re.M).group(1)
        check(again == secret, "the generated secret is kept by a second install")
        pid = int(pid_file.read_text().strip())
        r = run(["bash", str(ROOT / "scripts/stop_tier.sh")], env=env, timeout=60)
        check(r.returncode == 0 and "stopped docket" in r.stdout, "stop_tier.sh stops it", r.stdout + r.stderr)
        gone = not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
        check(gone and not pid_file.exists(), "the process is gone and its pid file removed")
        log = (Path(storage) / "run/docket.log").read_text()
        check("panicked" not in log, "the log shows no panic", log[-2000:])
        r = run(["bash", str(ROOT / "scripts/stop_tier.sh")], env=env, timeout=60)
        check(r.returncode == 0, "stop_tier.sh again is harmless", r.stdout + r.stderr)
    finally:
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


def main():
    if not BIN.is_file():
        print(f"no docket binary at {BIN}: build it (cargo build -p docket) or set DOCKET_BIN", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="docket-telemetry-")
    try:
        dash = static_checks()
        live_checks(dash, work)
        native_install(work)
    finally:
        if failed:
            print(f"(kept {work} for inspection)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"telemetry: {passed} passed, {len(failed)} failed")
    for f in failed:
        print(f"  failed: {f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
