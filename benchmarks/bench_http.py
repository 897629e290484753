"""Load measured with a real client: gunicorn on PostgreSQL (production settings, DEBUG off), 16 concurrent users.

    .venv/bin/python benchmarks/bench_http.py                      # this tree
    .venv/bin/python benchmarks/bench_http.py --baseline-ref main  # and main's tree beside it, in the same run

Uses its own database (`jiati_perf_bench`; created, migrated, loaded by `seed_demo` and analysed when absent).
Each endpoint is driven in turn by `--users` client threads over keep-alive connections for `--seconds`, in
`--rounds` interleaved rounds (hello-world, then each endpoint, then hello-world again: the machine is shared, so
a ratio is only meaningful against a hello-world measured beside it), then once more as a mix of all of them.
For each: requests per second, p50/p95/p99 latency, the ratio to hello-world, and the CPU spent a request by the
gunicorn workers (application) and by the database's backends for this database (sampled; with `CONN_MAX_AGE=0`
a backend lives one request, so its CPU is undercounted there). Hello-world is `/healthz`: no database, no
session, no template.

`--database-url` may name a `bench_seed.py` set (the national size: housing and bare projects, no residents or
votes): a district and a community officer are made as `bench_page.py` makes them, and the portal and ballot
endpoints are left out. `--think S` makes each user pause 0.5–1.5 × S seconds between requests, as a person reads
a page, and come in at a random moment of the first 1.5 × S seconds; without it the users never pause, which
measures the machine saturated (by Little's law each user's latency is then users × CPU a request ÷ CPUs, whatever
the code's own speed).

With `--baseline-ref REF`, that commit's tree (`git archive`) is served by a second gunicorn on the same database
and every measurement is repeated on it right after this tree's, so before and after come from the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from _common import PYTHON, ROOT

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jiati_perf_bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# A 1×1 PNG: the signed ballot form a paper ballot is recorded with.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


# --- the database -----------------------------------------------------------------------------------------------
def prepare_database(url: str, env: dict) -> None:
    """Create, migrate, load and analyse the benchmark database if it is absent (or empty)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        loaded = (
            conn.execute("SELECT to_regclass('organisation_region') IS NOT NULL").fetchone()[0]
            and (conn.execute("SELECT EXISTS (SELECT 1 FROM organisation_region)").fetchone()[0])
        )
    if loaded:
        return
    print(f"preparing {name}: migrate, seed_demo, ANALYZE …", flush=True)
    for args in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def fixtures(env: dict) -> dict:
    """Sessions, a token, the project, the vote and voters the requests use (in a child with the server's env)."""
    code = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
import django; django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from rest_framework.authtoken.models import Token
from jiati.accounts.models import User
from jiati.consent.models import RollVoter, Vote
from jiati.projects.models import Project

def session(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

district = User.objects.filter(username="district").first()
community = User.objects.filter(username="community").first()
resident = User.objects.filter(username="resident").first()
if district is None:  # a bench_seed.py set (national size): housing and bare projects; staff made here, as bench_page
    from jiati.accounts.models import Role
    from jiati.organisation.models import Region
    region = Region.objects.get(code="440307")
    first = Project.objects.filter(community__path__startswith=region.path).order_by("pk").first()
    district = User.objects.get_or_create(
        username="bench-district", defaults={"role": Role.DISTRICT_OFFICE, "region": region})[0]
    community = User.objects.get_or_create(
        username="bench-community", defaults={"role": Role.COMMUNITY, "region": first.community})[0]
# The district's project with the longest history: the heaviest project page of the demo.
project = (Project.objects.visible_to(district).annotate(n=Count("events")).order_by("-n", "pk").first())
vote = (Vote.objects.visible_to(community).filter(status="open").annotate(n=Count("roll")).order_by("-n").first())
voters = list(RollVoter.objects.filter(vote=vote).order_by("pk").values_list("pk", flat=True)[:200]) if vote else []
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "district_session": session(district),
    "resident_session": session(resident) if resident else None,
    "district_token": Token.objects.get_or_create(user=district)[0].key,
    "community_token": Token.objects.get_or_create(user=community)[0].key,
    "project": project.pk,
    "vote": vote.pk if vote else None,
    "voters": voters,
}))
"""
    import json

    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if out.returncode:
        raise SystemExit(f"could not prepare the requests:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the servers ------------------------------------------------------------------------------------------------
def baseline_tree(ref: str) -> Path:
    """REF's tree (git archive) with this tree's compiled translations and node_modules."""
    git = shutil.which("git")
    sha = subprocess.run([git, "rev-parse", ref], cwd=ROOT, check=True, capture_output=True, text=True).stdout  # noqa: S603
    target = Path(tempfile.gettempdir()) / f"jiati_bench_base_{sha.strip()[:12]}"
    if not (target / "manage.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run([git, "archive", sha.strip()], cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        tar = shutil.which("tar")
        subprocess.run([tar, "-x", "-C", str(target)], input=archive.stdout, check=True)  # noqa: S603
        for mo in ROOT.glob("jiati/**/*.mo"):
            dest = target / mo.relative_to(ROOT)
            if dest.parent.exists():
                shutil.copy2(mo, dest)
        for mo in (ROOT / "locale").glob("**/*.mo"):
            dest = target / mo.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(mo, dest)
    if not (target / "node_modules").exists():
        (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


@dataclass
class Server:
    label: str
    tree: Path
    port: int
    workers: int
    threads: int
    env: dict
    process: subprocess.Popen | None = None
    log: Path | None = None

    def start(self, workdir: Path) -> None:
        # Collected once per tree and kept (compressing every file takes minutes on a busy machine): again only
        # when a static file is newer than the manifest, as bin/demo does.
        tree_id = hashlib.sha256(str(self.tree).encode()).hexdigest()[:10]
        static = Path(tempfile.gettempdir()) / f"jiati_bench_static_{tree_id}"
        env = {
            **self.env,
            "STATIC_ROOT": str(static),
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"prometheus-{self.label}"),
            "JIATI_VAR_DIR": str(workdir / f"var-{self.label}"),
            "MEDIA_ROOT": str(workdir / f"media-{self.label}"),
        }
        for key in ("PROMETHEUS_MULTIPROC_DIR", "JIATI_VAR_DIR", "MEDIA_ROOT"):
            Path(env[key]).mkdir(parents=True, exist_ok=True)
        manifest = static / "staticfiles.json"
        if not manifest.exists() or any(
            p.stat().st_mtime > manifest.stat().st_mtime for p in self.tree.glob("jiati/*/static/**/*") if p.is_file()
        ):
            subprocess.run(  # noqa: S603
                [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=self.tree, env=env, check=True
            )
        self.log = workdir / f"gunicorn-{self.label}.log"
        self.process = subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "-m",
                "gunicorn",
                "jiati.wsgi",
                "--chdir",
                str(self.tree),
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--keep-alive",
                "30",
                "--backlog",
                "256",
            ],
            cwd=self.tree,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise SystemExit(f"gunicorn ({self.label}) did not start: see {self.log}\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def cpu_seconds(self) -> float:
        return sum(process_cpu(pid) for pid in self.worker_pids())


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class DatabaseCpu:
    """CPU of the database backends serving one database, sampled every 20 ms while a phase runs."""

    def __init__(self, dbname: str):
        self.dbname = dbname
        self.seen: dict[int, float] = {}
        self.total = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _backends(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"postgres: ") and f" {self.dbname} ".encode() in cmdline:
                pids.append(int(entry.name))
        return pids

    def _sample(self) -> None:
        for pid in self._backends():
            now = process_cpu(pid)
            before = self.seen.get(pid, 0.0)
            # A backend first seen mid-phase counts what it spent since it started (within the phase, mostly); a
            # pid seen before with more CPU is a new backend that reuses it.
            self.total += now - before if now >= before else now
            self.seen[pid] = now

    def start(self) -> None:
        # What existing backends spent before the phase is not the phase's.
        self.seen = {pid: process_cpu(pid) for pid in self._backends()}
        self.total = 0.0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.02)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.total


# --- the client -------------------------------------------------------------------------------------------------
@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: callable = None  # a function of a random generator giving (body bytes, content type)
    ok: tuple = (200,)
    weight: int = 1


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, ctype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def endpoints(f: dict) -> list[Endpoint]:
    staff = {"Cookie": f"{f['cookie']}={f['district_session']}"}
    resident = {"Cookie": f"{f['cookie']}={f['resident_session']}"}  # unused when None
    api = {"Authorization": f"Token {f['district_token']}", "Accept": "application/json"}
    result = [
        Endpoint("hello-world (/healthz)", "GET", "/healthz", weight=0),
        Endpoint("project detail API", "GET", f"/api/projects/projects/{f['project']}/", api, weight=4),
        Endpoint("project list API", "GET", "/api/projects/projects/", api, weight=2),
        Endpoint("project page", "GET", f"/projects/{f['project']}/", staff, weight=2),
        Endpoint("projects list page", "GET", "/projects/", staff, weight=2),
        Endpoint("dwellings list page", "GET", "/housing/dwellings/", staff, weight=2),
    ]
    if f["resident_session"]:  # a bench_seed set has no residents
        result.append(Endpoint("portal home", "GET", "/m/", resident, weight=3))
    if f["vote"] and f["voters"]:
        voters = f["voters"]

        def ballot(rng: random.Random) -> tuple[bytes, str]:
            return multipart(
                {"voter": rng.choice(voters), "choice": rng.choice(["agree", "agree", "disagree"]), "change": "true"},
                {"signed_form": ("form.png", PNG, "image/png")},
            )

        token = {"Authorization": f"Token {f['community_token']}", "Accept": "application/json"}
        result.append(
            Endpoint(
                "ballot cast (API, paper)", "POST", f"/api/consent/votes/{f['vote']}/ballots/", token, ballot, (201,)
            )
        )
    return result


@dataclass
class Phase:
    latencies: dict = field(default_factory=dict)  # endpoint name -> [seconds]
    errors: dict = field(default_factory=dict)
    seconds: float = 0.0
    app_cpu: float = 0.0
    db_cpu: float = 0.0


def drive(
    port: int, mix: list[Endpoint], users: int, seconds: float, server: Server, db: DatabaseCpu, think: float = 0.0
) -> Phase:
    """`users` clients for `seconds`. `think` > 0: each pauses a random 0.5–1.5 × `think` seconds after every
    answer (a person reading the page; locust's `between`); 0: each asks again at once (the machine saturated)."""
    phase = Phase()
    lock = threading.Lock()
    weights = [e.weight or 1 for e in mix]
    start_barrier = threading.Barrier(users + 1)
    stop_at = [0.0]

    def user(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        lat: dict[str, list[float]] = {e.name: [] for e in mix}
        err: dict[str, list[str]] = {}
        start_barrier.wait()
        if think:
            # People do not press at one instant: each user comes in somewhere within one reading pause (locust
            # spawns its users over time too). Without it every phase began with all users' requests at once.
            time.sleep(rng.uniform(0.0, think * 1.5))
        while time.perf_counter() < stop_at[0]:
            e = mix[0] if len(mix) == 1 else rng.choices(mix, weights)[0]
            headers = dict(e.headers)
            body = None
            if e.body:
                body, ctype = e.body(rng)
                headers["Content-Type"] = ctype
            began = time.perf_counter()
            try:
                conn.request(e.method, e.path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                err.setdefault(e.name, []).append(type(exc).__name__)
                continue
            lat[e.name].append(time.perf_counter() - began)
            if status not in e.ok:
                err.setdefault(e.name, []).append(f"{status} {payload[:200]!r}")
            if think:
                time.sleep(min(think * rng.uniform(0.5, 1.5), max(0.0, stop_at[0] - time.perf_counter())))
        conn.close()
        with lock:
            for name, values in lat.items():
                phase.latencies.setdefault(name, []).extend(values)
            for name, values in err.items():
                phase.errors.setdefault(name, []).extend(values)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    cpu0 = server.cpu_seconds()
    db.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_barrier.wait()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - began
    phase.db_cpu = db.stop()
    phase.app_cpu = server.cpu_seconds() - cpu0
    return phase


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- the run ----------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--baseline-ref", help="also serve this git ref's tree, measured beside this one")
    parser.add_argument("--conn-max-age", help="CONN_MAX_AGE for both servers (default: each tree's own)")
    parser.add_argument("--only", help="comma-separated substrings: measure only matching endpoints")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a user reads between requests (0.5–1.5 × this, at random); default 0: no pause (saturation)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on the way out (the finally below)

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + uuid.uuid4().hex * 2,
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "JIATI_HTTPS": "0",
        "JIATI_REQUIRE_SECOND_FACTOR": "0",
        "LOG_FORMAT": "text",
    }
    env.pop("JIATI_TESTING", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if args.conn_max_age is not None:
        env["DB_CONN_MAX_AGE"] = env["CONN_MAX_AGE"] = args.conn_max_age
    prepare_database(args.database_url, env)
    facts = fixtures(env)
    dbname = args.database_url.rsplit("/", 1)[1].split("?")[0]
    db = DatabaseCpu(dbname)

    servers = [Server("this", ROOT, args.port, args.workers, args.threads, env)]
    if args.baseline_ref:
        servers.append(
            Server(args.baseline_ref, baseline_tree(args.baseline_ref), args.port + 1, args.workers, args.threads, env)
        )
    workdir = Path(tempfile.mkdtemp(prefix="jiati_bench_http_"))
    all_endpoints = endpoints(facts)
    hello = all_endpoints[0]
    measured = all_endpoints[1:]
    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",")]
        measured = [e for e in measured if any(w in e.name.lower() for w in wanted)]
    # results[server label][endpoint name] -> list of (req/s, phase) per round
    results: dict[str, dict[str, list]] = {s.label: {} for s in servers}
    try:
        for s in servers:
            s.start(workdir)
        print(
            f"gunicorn {args.workers}×{args.threads} (gthread) per tree, {args.users} users, {args.rounds} rounds × "
            f"{args.seconds:g} s per endpoint, {f'thinking {args.think:g} s' if args.think else 'no pause'} between "
            f"a user's requests, database {dbname}, "
            f"redis {'on' if args.redis_url else 'off'}; trees: {', '.join(s.label for s in servers)}",
            flush=True,
        )
        for s in servers:  # warm-up: every worker imports, connects, fills its caches
            drive(s.port, [hello, *measured], args.users, 3, s, db)
        for r in range(args.rounds):
            for e in [hello, *measured, hello]:
                for s in servers if r % 2 == 0 else list(reversed(servers)):
                    phase = drive(s.port, [e], args.users, args.seconds, s, db, args.think)
                    results[s.label].setdefault(e.name, []).append(phase)
            print(f"  round {r + 1}/{args.rounds} done", flush=True)
        mixes = {}
        for s in servers:
            mixes[s.label] = drive(s.port, measured, args.users, args.seconds * 3, s, db, args.think)
    finally:
        for s in servers:
            s.stop()
    report(servers, results, mixes, hello, measured, args)
    shutil.rmtree(workdir, ignore_errors=True)


def report(servers, results, mixes, hello, measured, args) -> None:
    def rate(phases: list[Phase], name: str) -> float:
        return statistics.median(len(p.latencies.get(name, [])) / p.seconds for p in phases)

    print(
        "\nEach endpoint alone (median req/s of the rounds; latency percentiles over all rounds; CPU a request "
        "in ms: gunicorn workers + database backends)"
    )
    head = f"{'endpoint':<28}"
    for s in servers:
        head += f" | {s.label[:10]:>10}: req/s   ×hello   p50    p95    p99  app+db ms"
    print(head)
    for e in [hello, *measured]:
        line = f"{e.name[:28]:<28}"
        for s in servers:
            phases = results[s.label][e.name]
            lat = [x for p in phases for x in p.latencies.get(e.name, [])]
            count = max(1, len(lat))
            app = sum(p.app_cpu for p in phases) / count * 1000
            dbc = sum(p.db_cpu for p in phases) / count * 1000
            ratio = rate(phases, e.name) / rate(results[s.label][hello.name], hello.name)
            line += (
                f" | {'':>10}  {rate(phases, e.name):7.1f}  {ratio:6.3f}  {percentile(lat, 50) * 1000:5.0f}  "
                f"{percentile(lat, 95) * 1000:5.0f}  {percentile(lat, 99) * 1000:5.0f}  {app:5.1f}+{dbc:4.1f}"
            )
        print(line)
    print(f"\nThe mix ({args.seconds * 3:g} s, weighted: detail API 4, portal 3, the others 2, ballots 1)")
    for e in measured:
        line = f"{e.name[:28]:<28}"
        for s in servers:
            p = mixes[s.label]
            lat = p.latencies.get(e.name, [])
            line += (
                f" | {s.label[:10]:>10}: {len(lat) / p.seconds:7.1f} req/s  p50 {percentile(lat, 50) * 1000:5.0f}  "
                f"p95 {percentile(lat, 95) * 1000:5.0f}  p99 {percentile(lat, 99) * 1000:5.0f} ms"
            )
        print(line)
    line = f"{'all together':<28}"
    for s in servers:
        p = mixes[s.label]
        n = sum(len(v) for v in p.latencies.values())
        cpu = (p.app_cpu + p.db_cpu) / max(n, 1) * 1000
        line += f" | {s.label[:10]:>10}: {n / p.seconds:7.1f} req/s, CPU a request {cpu:.1f} ms"
    print(line)
    errors = {
        (s.label, name): errs
        for s in servers
        for phases in [*results[s.label].values(), [mixes[s.label]]]
        for p in phases
        for name, errs in p.errors.items()
    }
    for (label, name), errs in errors.items():
        print(f"  errors ({label}, {name}): {len(errs)}, e.g. {errs[0]}", file=sys.stderr)


if __name__ == "__main__":
    main()
