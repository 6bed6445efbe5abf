"""`python -m bench [--scale county|city|province] [--db sqlite,postgres]`: one table, and var/bench/results.json.

For each database: migrate and fill a bench database with `jinguo synth` (kept between runs), start gunicorn with
two workers on loopback, then measure — pages over HTTP as a city user, the API under a load generator (wrk when
installed, else a threaded Python client), and summary / import / export in a separate Django process, each next
to its baseline from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
IMPORT_ROWS = {"county": 2_000, "city": 10_000, "province": 100_000}  # BENCH_IMPORT_ROWS overrides
EXPORT_ROWS = {"county": 5_000, "city": 20_000, "province": 100_000}  # BENCH_EXPORT_ROWS overrides
# Targets (issue 21): the case list and the ID search as a city user over HTTP, API throughput on two workers, the
# province-year summary next to replaying its own SQL, the export next to XlsxWriter alone.
LIST_P95_MS = 100
SEARCH_P95_MS = 50
API_MIN_RATE = {"county": 200, "city": 200, "province": 100}  # req/s, at least
SUMMARY_MAX_S, SUMMARY_MAX_RATIO = 3, 1.2
EXPORT_MAX_RATIO = 1.3


def _env(url: str) -> dict:
    key_file = OUT / "data_key"
    if not key_file.exists():
        import base64

        key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    return {**{k: v for k, v in os.environ.items() if not k.startswith("JINGUO_")}, "DATABASE_URL": url,
            "JINGUO_VAR_DIR": str(OUT / "var"), "JINGUO_DATA_KEY": key_file.read_text(), "JINGUO_DEBUG": "0",
            "JINGUO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40), "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "jinguo.settings"}


def _jinguo(env: dict, *args: str, timeout: float = 3600) -> str:
    result = subprocess.run([sys.executable, "-m", "jinguo.manage", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode:
        raise SystemExit(f"jinguo {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _shell(env: dict, code: str) -> str:
    return _jinguo(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1]


# Which keys a seeded bench database needs: the data key its personal data is under (recorded by the seeding in its
# `data.seeded` event; for a database seeded before that, read off a stored value) and the audit keys that signed
# its trail. `make clean` removes var/ and with it the keys, while a PostgreSQL bench database survives.
KEY_CHECK = """
import json
from django.db import DatabaseError
from django.db.models import TextField
from django.db.models.functions import Cast
from jinguo.audit.models import AuditEntry
from jinguo.core import crypto
from jinguo.petitions.models import Petitioner
try:
    seeded = AuditEntry.objects.filter(action='data.seeded').order_by('-seq').values_list('data', flat=True).first()
    key_id = (seeded or {}).get('key_id')
    if not key_id:
        people = Petitioner.objects.exclude(name='').annotate(raw=Cast('name', TextField()))
        raw = people.values_list('raw', flat=True).first()
        key_id = raw and crypto.key_id_of(raw)
    audit = set(AuditEntry.objects.exclude(key_id='').values_list('key_id', flat=True).distinct())
except DatabaseError:  # a new database: nothing stored yet
    key_id, audit = None, set()
missing = sorted(({key_id} - set(crypto.keyring())) if key_id else set())
print(json.dumps({'data': missing, 'audit': sorted(audit - set(crypto.audit_keyring()))}))
"""


def _database(db: str, scale: str, *, drop: bool = False) -> str:
    """The bench database's URL (created when missing; dropped first with `drop`). BENCH_PG_DB names a PostgreSQL
    database of one's own beside other runs on the same server."""
    if db == "sqlite":
        path = OUT / f"{scale}.sqlite3"
        if drop:
            for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                file.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = os.environ.get("BENCH_PG_DB") or f"jinguo_bench_{scale}"  # a name of one's own beside other runs
    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://") + "/postgres", autocommit=True) as c:
        if drop:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN}/{name}"


def _prepare(db: str, scale: str) -> tuple[dict, float | None, bool]:
    env = _env(_database(db, scale))
    # Before migrating: a data migration may have to read personal data, which a lost key cannot open.
    missing = json.loads(_shell(env, KEY_CHECK))
    if missing["data"] or missing["audit"]:
        keys = "; ".join(f"{kind} key {', '.join(ids)}" for kind, ids in missing.items() if ids)
        print(f"The {db} bench database was seeded under keys this checkout does not have ({keys}; `make clean` "
              "removes var/ and with it the keys): dropping it and seeding it again.", flush=True)
        env = _env(_database(db, scale, drop=True))
    _jinguo(env, "migrate", "--no-input", "-v0")
    seeded = _shell(env, "from jinguo.orgs.models import OrgUnit; "
                         "print(OrgUnit.objects.filter(code='990000', children__isnull=False).exists())")
    synth_seconds, earlier = None, False
    if seeded != "True":
        started = time.perf_counter()
        _jinguo(env, "synth", "--scale", scale)
        synth_seconds = time.perf_counter() - started
        # A bulk-loaded table has no visibility map until VACUUM, which autovacuum does on a live server: without
        # it every count visits the heap and the list timings describe a state production is never in.
        _jinguo(env, "shell", "--no-imports", "-c", "from django.db import connection; c = connection.cursor(); "
                "c.execute('VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE')")
    else:  # seeded by an earlier run: report the time that run's synth took, from its audit event
        text = _shell(env, "from jinguo.audit.models import AuditEntry; e = AuditEntry.objects"
                           ".filter(action='data.seeded').order_by('-seq').first(); "
                           "print((e and e.data.get('seconds')) or '-')")
        if text != "-":
            synth_seconds, earlier = float(text), True
    return env, synth_seconds, earlier


SETUP_USER = """
from django.contrib.sessions.backends.db import SessionStore
from jinguo.accounts.models import User
from jinguo.core.roles import Role
from jinguo.accounts.services import grant_role, issue_token
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.models import Petitioner
city = OrgUnit.objects.get(code='990100')
user = User.objects.filter(username='bench').first()
if user is None:
    user = User(username='bench', display_name='基准测试', org=city, must_change_password=False)
    user.set_password('Bench#Pass2025'); user.save()
    for role in (Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER):
        grant_role(user, city, role)
s = SessionStore(); s['_auth_user_id'] = str(user.pk)
s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'
s['_auth_user_hash'] = user.get_session_auth_hash(); s.create()
token = issue_token(user, name='bench', replace=True)
p = Petitioner.objects.filter(case__org__path__startswith=city.path).order_by('-pk').first()
import json; print(json.dumps({'session': s.session_key, 'token': token, 'id_number': p.id_number}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "jinguo.wsgi", "-w", "2", "-b",
                                      f"127.0.0.1:{self.port}", "--log-level", "warning"], cwd=ROOT, env=env)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _latencies(port: int, path: str, headers: dict, n: int) -> list[float]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for i in range(n + 3):
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path} → {response.status}: {body[:300]!r}")
        if i >= 3:  # the first requests warm each worker
            times.append(time.perf_counter() - started)
    conn.close()
    return times


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _throughput(port: int, path: str, headers: dict, seconds: float = 10,
                max_requests: int = 20000) -> tuple[float, str]:
    if shutil.which("wrk"):
        header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
        out = subprocess.run(["wrk", "-t2", "-c8", f"-d{int(seconds)}s", *header_args,
                              f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                return float(line.split()[1]), "wrk -t2 -c8"
    import http.client

    done, stop_at, lock = [0], time.monotonic() + seconds, threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at and done[0] < max_requests:
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=client) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - started), "python threads ×8"


def _measure(env: dict, **task) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.measure", json.dumps(task)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=7200)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"bench.measure {task} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(line[6:])


GROUPS = ("http", "summary", "import", "export")


def run(db: str, scale: str, only: tuple[str, ...] = GROUPS) -> list[dict]:
    results: list[dict] = []

    def add(name, value, unit, target, baseline=None, met=None, note=""):
        ratio = value / baseline if baseline else None
        if met is None:
            met = value <= target if target is not None else None
        results.append({"name": name, "database": db, "scale": scale, "value": round(value, 4), "unit": unit,
                        "baseline": None if baseline is None else round(baseline, 4),
                        "ratio": None if ratio is None else round(ratio, 3), "target": target, "met": met,
                        "note": note})

    env, synth_seconds, earlier = _prepare(db, scale)
    if synth_seconds is not None:
        add("synth: generate the data set", synth_seconds, "s", 300,
            note="seeded by an earlier run (its data.seeded audit event)" if earlier else "")
    if "http" in only:
        _http(env, scale, add)
    if "summary" in only:
        _summaries(env, add)
    if "import" in only:
        _import(env, scale, add)
    if "export" in only:
        _export(env, scale, add)
    return results


def _http(env: dict, scale: str, add) -> None:
    who = json.loads(_shell(env, SETUP_USER))
    server = Server(env)
    try:
        cookie = {"Cookie": f"sessionid={who['session']}"}
        times = _latencies(server.port, "/petitions/", cookie, 100)
        add("case list, city user, default filters: p50", statistics.median(times) * 1000, "ms", None)
        add("case list, city user, default filters: p95", _pct(times, 95) * 1000, "ms", LIST_P95_MS)
        times = _latencies(server.port, f"/petitions/?search={who['id_number']}", cookie, 50)
        add("exact search by ID number: p95", _pct(times, 95) * 1000, "ms", SEARCH_P95_MS)
        rate, tool = _throughput(server.port, "/api/cases/?page_size=20", {"Authorization": f"Token {who['token']}"})
        floor = API_MIN_RATE[scale]
        add("API case list throughput, 2 gunicorn workers", rate, "req/s", floor, met=rate >= floor,
            note=f"{tool}; target: at least")
    finally:
        server.stop()


def _summaries(env: dict, add) -> None:
    for label, code in (("province", "990000"), ("county", "990101")):
        s = _measure(env, kind="summary", org_code=code, year=time.localtime().tm_year - 1)
        add(f"work summary, {label}, one year", s["seconds"], "s", SUMMARY_MAX_S if label == "province" else None,
            baseline=s["raw_sql_seconds"],
            met=(s["seconds"] < SUMMARY_MAX_S and s["seconds"] <= SUMMARY_MAX_RATIO * s["raw_sql_seconds"])
            if label == "province" else None,
            note=f"{s['queries']} queries; baseline: the same SQL replayed raw; best of {s['runs']} each, alternated")


def _import(env: dict, scale: str, add) -> None:
    """Both big import kinds, each against pandas reading the same file: at province scale (100,000 rows) the
    target is under 10 s and a ratio of at most 1.0."""
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", IMPORT_ROWS[scale]))
    for import_kind, label in (("petitions", "信访 cases"), ("activities", "activities")):
        imp = _measure(env, kind="import", org_code="990101", rows=rows, import_kind=import_kind)
        add(f"import {imp['rows']:,} {label} (validated, stored, audited)", imp["seconds"], "s",
            10 if imp["rows"] == 100_000 else None, baseline=imp["pandas_read_seconds"],
            met=imp["seconds"] <= min(10, imp["pandas_read_seconds"]) if imp["rows"] == 100_000 else
            imp["seconds"] <= imp["pandas_read_seconds"],
            note="baseline: pandas.read_excel (openpyxl) of the same file")
        if "storage_server_cpu_seconds" in imp:
            cpu = imp["storage_server_cpu_seconds"]
            add(f"  storing its {imp['storage_rows']:,} rows alone (COPY, server CPU)", cpu, "s", None,
                note=f"{imp['storage_seconds']:.1f} s wall, ≈ {cpu / imp['rows'] * 100_000:.1f} s server CPU per "
                     "100,000 records; the same rows re-sent by COPY alone: the floor")
        if imp["rows"] != 100_000:
            per_100k = imp["seconds"] / imp["rows"] * 100_000
            add(f"import {label}: 100,000 rows at that rate", per_100k, "s", 10,
                note=f"extrapolated from {imp['rows']:,} rows")


def _export(env: dict, scale: str, add) -> None:
    rows = int(os.environ.get("BENCH_EXPORT_ROWS", EXPORT_ROWS[scale]))
    exp = _measure(env, kind="export", rows=rows)
    add(f"export {exp['rows']:,} rows", exp["seconds"], "s", None, baseline=exp["xlsxwriter_seconds"],
        met=exp["seconds"] <= EXPORT_MAX_RATIO * exp["xlsxwriter_seconds"],
        note=f"baseline: XlsxWriter alone, same rows; best of {exp['runs']} each, alternated; "
             f"target ≤ {EXPORT_MAX_RATIO}× it")
    # Several 2,000-row chunks even in the small run: a single chunk never holds the next batch beside it.
    small = _measure(env, kind="export", rows=max(rows // 10, 5_000), trace=True)
    big = _measure(env, kind="export", rows=10 * small["rows"], trace=True)
    factor = round(big["rows"] / small["rows"])
    add(f"export memory, {factor}× the rows", big["peak_mb"], "MB", None, baseline=small["peak_mb"],
        met=big["peak_mb"] <= 1.5 * small["peak_mb"],
        note=f"peak Python memory: {small['rows']:,} rows {small['peak_mb']:.1f} MB, {big['rows']:,} rows")


def _table(results: list[dict]) -> str:
    lines = [f"{'benchmark':<52} {'db':<9} {'value':>12} {'baseline':>10} {'ratio':>6} {'target':>8}  met"]
    for r in results:
        value = f"{r['value']:.1f} {r['unit']}"
        baseline = "" if r["baseline"] is None else f"{r['baseline']:.2f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = "" if r["target"] is None else f"{r['target']}"
        met = {True: "yes", False: "NO", None: "-"}[r["met"]]
        lines.append(f"{r['name'][:52]:<52} {r['database']:<9} {value:>12} {baseline:>10} {ratio:>6} {target:>8}"
                     f"  {met}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=["county", "city", "province"], default="city")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated subset of {', '.join(GROUPS)} (default: all; synth runs when needed)")
    args = parser.parse_args()
    only = tuple(args.only.split(","))
    if not set(only) <= set(GROUPS):
        parser.error(f"--only takes {', '.join(GROUPS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    for db in args.db.split(","):
        print(f"== {db} · {args.scale} ==", flush=True)
        results += run(db, args.scale, only)
        print(_table([r for r in results if r["database"] == db]), flush=True)
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print()
    print(_table(results))
    print(f"\nwritten: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
