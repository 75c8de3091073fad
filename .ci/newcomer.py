#!/usr/bin/env python3
"""CI part a: the newcomer path, exactly as the README tells a new user.

A fresh ``git clone`` of this checkout into a temporary folder; ``scripts/run`` started there with its
defaults (SQLite, the file-system broker, no Redis) on a free port; then, over plain HTTP like a browser:
``/health/`` answers 200; one demo account of every role signs in with the printed password, is sent to
the password change the README describes, sets a new password, and opens its home page, the cadre list and
one export (Excel or PDF, checked by its first bytes); a job sent from another process through the file
broker is executed by the running worker (its JobRun row turns "ok"). Finally the whole process group is
stopped. Standard library only: it runs before anything is installed.

Usage: python3 .ci/newcomer.py  (exit 0 when every step passed; the log of scripts/run is printed on failure)
"""

from __future__ import annotations

import csv
import datetime as dt
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "Newcomer#Check-2026"
#: one account per role, as the README names them (demo_logins.csv's 角色 column → the export to fetch)
ROLE_EXPORTS = {
    "县委组织部": "/supervision/ledger/?export=xlsx",
    "县财政局": "/supervision/ledger/?export=xlsx",
    "县人社局": "/supervision/ledger/?export=xlsx",
    "乡（镇）党委": "/supervision/ledger/?export=xlsx",
    "乡镇包村领导": "/supervision/ledger/?export=xlsx",
    "村党组织书记": "/supervision/ledger/?export=xlsx",
    "村级后备干部": None,  # a cadre prints their own dossier: the link is read from their cadre page
}
MAGIC = {b"PK\x03\x04": "xlsx", b"%PDF": "pdf"}


def log(msg: str) -> None:
    print(f"[newcomer {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that follows redirects and sends Django's CSRF token on POST."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict):
        data = {**data, "csrfmiddlewaretoken": self._csrf()}
        req = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode(),
                                     headers={"Referer": self.base + path})
        return self._open(req)

    def _open(self, req):
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.geturl(), resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.headers, exc.read()


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)


def sign_in_and_look_around(base: str, role: str, username: str, password: str) -> None:
    b = Browser(base)
    status, url, _h, _body = b.get("/login/")
    check(status == 200, f"{username}: /login/ answered {status}")
    status, url, _h, body = b.post("/login/", {"username": username, "password": password})
    check(status == 200 and urllib.parse.urlparse(url).path == "/password/",
          f"{username}: sign-in did not lead to the password change (status {status}, {url})")
    status, url, _h, body = b.post("/password/", {"old_password": password, "new_password1": NEW_PASSWORD,
                                                  "new_password2": NEW_PASSWORD})
    check(status == 200 and urllib.parse.urlparse(url).path == "/",
          f"{username}: password change failed (status {status}, {url}): {body[:300]!r}")
    check("密码已修改".encode() in body, f"{username}: home page after the change does not say 密码已修改")
    status, url, _h, body = b.get("/cadres/")
    check(status == 200 and "村级后备干部".encode() in body, f"{username}: cadre list answered {status}")
    export = ROLE_EXPORTS[role]
    if export is None:
        ids = re.findall(rb'href="/cadres/(\d+)/"', body)
        check(len(ids) >= 1, f"{username}: a cadre sees no own record in the cadre list")
        status, _u, _h, page = b.get(f"/cadres/{ids[0].decode()}/")
        check(status == 200, f"{username}: own cadre page answered {status}")
        links = re.findall(rb'href="(/supervision/cadres/\d+/dossier\.pdf)"', page)
        export = links[0].decode() if links else f"/supervision/cadres/{ids[0].decode()}/dossier.pdf"
    status, _u, headers, content = b.get(export)
    kind = next((k for magic, k in MAGIC.items() if content.startswith(magic)), None)
    check(status == 200 and kind is not None,
          f"{username}: export {export} answered {status} {headers.get('Content-Type')} {content[:80]!r}")
    log(f"  {role:<8} {username:<18} signed in, changed password, home + cadre list + {kind} export OK")


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="newcomer-"))
    app = work / "app"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(app)], check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logfile = open(work / "run.log", "w+")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "REQUIRE_SERVICES")}
    env["PORT"] = str(port)
    log(f"git clone → {app}; scripts/run on port {port} (log: {work / 'run.log'})")
    proc = subprocess.Popen(["scripts/run"], cwd=app, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                            start_new_session=True)
    ok = False
    try:
        deadline = time.monotonic() + 900
        while True:
            check(proc.poll() is None, f"scripts/run exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(base + "/health/", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            check(time.monotonic() < deadline, "/health/ did not answer 200 within 15 minutes")
            time.sleep(1)
        log(f"/health/ 200 after {time.monotonic() - started:.0f} s (install, migrate, demo, start)")

        with open(app / "var" / "demo_logins.csv", encoding="utf-8-sig") as f:
            accounts = list(csv.DictReader(f))
        firsts = {}
        for row in accounts:
            firsts.setdefault(row["角色"], row)
        check(set(firsts) == set(ROLE_EXPORTS), f"demo roles {sorted(firsts)} differ from the README's")
        for role, row in firsts.items():
            sign_in_and_look_around(base, role, row["用户名"], row["密码"])

        # The worker: a job sent from another process through the file broker is executed.
        period = (dt.date.today() - dt.timedelta(days=9)).isoformat()
        py = str(app / ".venv" / "bin" / "python")
        wenv = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        subprocess.run([py, "manage.py", "shell", "-v", "0", "-c",
                        "from attendance.tasks import check_absence_thresholds as t;"
                        f"t.apply_async(kwargs={{'as_of': '{period}'}})"], cwd=app, env=wenv, check=True)
        probe = ("from core.models import JobRun;"
                 f"r = JobRun.objects.filter(job='attendance.tasks.check_absence_thresholds', period='{period}',"
                 " trigger='celery').first(); print(r.outcome if r else 'none')")
        deadline = time.monotonic() + 180
        while True:
            out = subprocess.run([py, "manage.py", "shell", "-v", "0", "-c", probe], cwd=app, env=wenv, check=True,
                                 capture_output=True, text=True).stdout.strip()
            if out == "ok":
                break
            check(out in ("none", "running"), f"the absence check for {period} ended as {out!r}")
            check(time.monotonic() < deadline, f"the worker did not run the absence check for {period} in 3 min")
            time.sleep(1)
        log(f"worker ran the absence check for {period} sent through the file broker: ok")
        failed = subprocess.run([py, "manage.py", "shell", "-v", "0", "-c",
                                 "from core.models import JobRun;"
                                 "print([(r.job, r.period, r.error) for r in JobRun.objects.exclude(outcome='ok')])"],
                                cwd=app, env=wenv, check=True, capture_output=True, text=True).stdout.strip()
        check(failed == "[]", f"scheduled jobs that did not end ok (SQLite locking?): {failed}")
        log("every scheduled job the worker ran (its catch-up at start included) ended ok")
        ok = True
    except AssertionError as exc:
        log(f"FAILED: {exc}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not ok:
            logfile.seek(0)
            sys.stdout.write(logfile.read()[-20000:])
    log(f"newcomer path {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
