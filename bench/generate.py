"""Synthetic data at a chosen scale, written set-based (PostgreSQL COPY and INSERT … SELECT).

    .venv/bin/python -m bench.generate --fresh --counties 3334          # ≈ 500,000 villages and cadres
    .venv/bin/python -m bench.generate --fresh --counties 10            # ≈ 1,500 (a few seconds)

What it writes (only what the application itself stores):
- the org tree: ``--counties`` counties × ``--townships`` townships × ``--villages`` villages, with codes
  that follow the official pattern (county 6 digits, township = county + 3, village = township + 3);
- ``--cadres-per-village`` cadres per village (valid ID numbers from ``core.idcard.make_id_number``,
  gender and birth date taken from the number, phones, education, posts; 2 % resigned, 5 % serving
  village cadres who are not paid);
- a year of leave (``--leaves`` requests per cadre, mostly returned, some pending/approved/rejected,
  a few approved and never returned = overstay), sparse attendance marks (the app stores marks, not
  a row per day: a few "official business" days per cadre, 旷工 marks for 3 % of cadres, a run of 17
  working days for 0.2 % so the R-25 job has cases to open), absence ranges for 1 %;
- one pay policy per county, performance bonuses for 12 months for ``--bonus-share`` of cadres;
- talks, training sessions with attendance and 跟班学习 periods (what the ledger's subqueries read);
- the users the benchmarks act as (no passwords: pages log in with ``force_login``, the API with tokens):
  ``bench_province`` (county_org on ``--province-counties`` counties spread over the id space, every
  n-th county, ≈ 15,000 villages like a province), ``bench_county`` (county_org on one county), ``bench_township`` (township_party on the first
  township), and for the load test
  ``bench_sec_<i>`` (village secretary of village i) and ``bench_cadre_<i>`` (the cadre of village i).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏飞建国志强海燕晓东文斌春梅金凤宇辉浩然子涵欣怡思远佳琪俊杰雨轩梓萱一鸣振华德明永福"
EDU = ["below_high_school", "high_school", "college", "bachelor", "postgraduate"]
EDU_W = [5, 25, 35, 30, 5]
POL = ["party_member", "probationary", "league_member", "masses"]
POL_W = [40, 10, 20, 30]
POSTS = ["secretary_assistant", "clerk", "party_worker"]


#: the 31 provincial codes (GB/T 2260): an ID number's first two digits must be one of them
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
             54, 61, 62, 63, 64, 65]


def county_code(i: int) -> str:
    """The i-th county's 6-digit code: province (2) + city (2) + county (2), 110 counties a province."""
    province, rest = divmod(i, 110)
    if province >= len(PROVINCES):
        raise SystemExit(f"at most {110 * len(PROVINCES)} counties")
    return f"{PROVINCES[province]:02d}{rest // 10 + 1:02d}{rest % 10 + 1:02d}"


def log(msg: str, t0: float, verbose: bool) -> None:
    if verbose:
        print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", flush=True)


def create_database(db: str, *, fresh: bool) -> None:
    """Create (or with ``fresh`` recreate) the benchmark database; ``migrate`` runs after setup."""
    import psycopg

    from bench.common import PG

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db}"')


#: the value a column the generator does not name gets, by type (Django's ``default=`` lives in Python only,
#: so a NOT NULL column added to a model later would otherwise stop the COPY)
_BLANK = {"text": "", "character varying": "", "boolean": False, "integer": 0, "smallint": 0, "bigint": 0,
          "numeric": 0, "jsonb": "{}"}


def _unnamed_required(cur, table: str, columns: list[str]) -> list[tuple[str, object]]:
    cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
                " AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'", [table])
    return [(name, _BLANK[kind]) for name, kind in cur.fetchall() if name not in columns and kind in _BLANK]


def _copy(cur, table: str, columns: list[str], rows) -> int:
    extra = _unnamed_required(cur, table, columns)
    names = columns + [name for name, _v in extra]
    blanks = tuple(value for _n, value in extra)
    n = 0
    with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row) + blanks)
            n += 1
    return n


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))


def _has_column(cur, table: str, column: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                [table, column])
    return cur.fetchone() is not None


def supervision_rows(cur, *, rnd: random.Random, past_days: list[dt.date], talks: int = 2,
                     sessions: int = 2, attachment_share: float = 0.3, verbose: bool = True,
                     t0: float | None = None) -> dict:
    """Talks (R-53), training sessions and attendance (R-51) and 跟班学习 periods (R-52) for the active
    cadres already in the database, so that the ledger's per-cadre subqueries read tables of a real
    size: ``talks`` individual talks a cadre in the year, ``sessions`` training sessions a township
    (every active cadre of the township on the list, 90 % present), one attachment period for
    ``attachment_share`` of cadres. Reads the cadres through their village, and writes the scope
    columns only where the table has them, so it also fills a database of an older schema
    (``--supervision-only``)."""
    t0 = time.perf_counter() if t0 is None else t0
    counts = {}
    cur.execute("SELECT c.id, c.village_id, v.township_id, t.county_id FROM cadres_cadre c "
                "JOIN core_village v ON v.id = c.village_id JOIN core_township t ON t.id = v.township_id "
                "WHERE c.status = 'active' ORDER BY c.id")
    active = cur.fetchall()
    n_past = len(past_days)
    talk_columns = ["kind", "cadre_id", "township_id", "village_id", "held_on", "interviewer", "record",
                    "mood_swing"]
    with_county = _has_column(cur, "supervision_talk", "county_id")
    if with_county:
        talk_columns.append("county_id")

    def talk_rows():
        for cadre_id, vid, tid, cid in active:
            for _k in range(talks):
                row = ("individual", cadre_id, tid, vid, past_days[rnd.randrange(n_past)], "乡镇党委书记",
                       "谈话考察：工作积极，群众认可，继续培养。", rnd.random() < 0.02)
                yield row + (cid,) if with_county else row

    counts["talks"] = _copy(cur, "supervision_talk", talk_columns, talk_rows())
    townships = sorted({tid for _c, _v, tid, _cid in active})
    kinds = ["theory", "sannong", "office", "field_visit"]
    counts["training_sessions"] = _copy(cur, "supervision_trainingsession", [
        "township_id", "kind", "title", "held_on", "place", "note"], (
        (tid, kinds[(tid + k) % len(kinds)], f"“清雁竞飞”培训第{k + 1}期", past_days[rnd.randrange(n_past)],
         "乡镇党校", "") for tid in townships for k in range(sessions)))
    cur.execute("SELECT id, township_id FROM supervision_trainingsession ORDER BY id")
    by_township: dict[int, list[int]] = {}
    for cadre_id, _v, tid, _cid in active:
        by_township.setdefault(tid, []).append(cadre_id)
    counts["training_attendance"] = _copy(cur, "supervision_trainingattendance", [
        "session_id", "cadre_id", "present", "note"], (
        (sid, cadre_id, rnd.random() < 0.9, "") for sid, tid in cur.fetchall()
        for cadre_id in by_township.get(tid, ())))

    def attachment_rows():
        for cadre_id, _v, tid, _cid in active:
            if rnd.random() < attachment_share:
                start = past_days[rnd.randrange(n_past)]
                end = min(start + dt.timedelta(days=rnd.randrange(4, 30)), dt.date(start.year, 12, 31))
                yield cadre_id, tid, start, end, (end - start).days + 1, "党政办", ""

    counts["attachments"] = _copy(cur, "supervision_attachment", [
        "cadre_id", "township_id", "start_date", "end_date", "days", "department", "note"], attachment_rows())
    log(f"talks {counts['talks']}, training {counts['training_sessions']} sessions / "
        f"{counts['training_attendance']} attendance, attachments {counts['attachments']}", t0, verbose)
    return counts


def generate(*, counties: int = 10, townships: int = 10, villages: int = 15, cadres_per_village: int = 1,
             province_counties: int = 100, leaves: int = 2, bonus_share: float = 0.5, load_villages: int = 100,
             as_of: dt.date | None = None, seed: int = 8, verbose: bool = True) -> dict:
    """Write the data set into the current database (which must be empty of org units). Returns counts."""
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from core import calendar
    from core.idcard import make_id_number
    from core.models import County

    if County.objects.exists():
        raise SystemExit("The database already has counties: use --fresh (drops and recreates it).")
    t0 = time.perf_counter()
    rnd = random.Random(seed)
    as_of = as_of or (timezone.localdate() - dt.timedelta(days=1))
    now = timezone.now()
    year_start = as_of - dt.timedelta(days=364)
    workdays = calendar.working_days(year_start, as_of + dt.timedelta(days=120), county_overrides={})
    past_days = [d for d in workdays if d <= as_of]
    index_of = {d: i for i, d in enumerate(workdays)}
    counts: dict[str, int] = {}

    with transaction.atomic(), connection.cursor() as cur:
        # -- org tree ------------------------------------------------------------------------------------
        county_rows = [(f"基准{i + 1}县", county_code(i)) for i in range(counties)]
        counts["counties"] = _copy(cur, "core_county", ["name", "code"], county_rows)
        cur.execute("SELECT id, code FROM core_county ORDER BY code")
        county_ids = cur.fetchall()
        counts["townships"] = _copy(cur, "core_township", ["name", "code", "kind", "county_id"], (
            (f"第{t + 1}镇", f"{code}{t + 1:03d}", "town", cid) for cid, code in county_ids for t in range(townships)))
        cur.execute("SELECT id, code, county_id FROM core_township ORDER BY code")
        township_rows = cur.fetchall()
        counts["villages"] = _copy(cur, "core_village", ["name", "code", "kind", "quota", "township_id"], (
            (f"第{v + 1}村", f"{code}{v + 1:03d}", "village", cadres_per_village, tid)
            for tid, code, _c in township_rows for v in range(villages)))
        cur.execute("SELECT v.id, v.code, t.county_id, t.id FROM core_village v JOIN core_township t ON t.id = v.township_id "
                    "ORDER BY v.code")
        village_rows = cur.fetchall()
        log(f"org tree: {counts}", t0, verbose)

        # -- cadres --------------------------------------------------------------------------------------
        per_county: dict[int, int] = {}

        def cadre_rows():
            for vid, vcode, cid, tid in village_rows:
                for _k in range(cadres_per_village):
                    seq = per_county.get(cid, 0)
                    per_county[cid] = seq + 1
                    born = dt.date(1985, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 18))
                    id_number = make_id_number(vcode[:6], born, seq % 1000)
                    if seq >= 1000:  # more than 1,000 cadres in a county: vary the birth date too
                        born = born + dt.timedelta(days=seq // 1000)
                        id_number = make_id_number(vcode[:6], born, seq % 1000)
                    gender = "M" if int(id_number[16]) % 2 else "F"
                    appointed = as_of - dt.timedelta(days=rnd.randrange(400, 800))
                    r = rnd.random()
                    status, left_on = ("resigned", as_of - dt.timedelta(days=rnd.randrange(10, 200))) \
                        if r < 0.02 else ("active", None)
                    yield (_name(rnd), id_number, gender, born, rnd.choices(EDU, EDU_W)[0],
                           rnd.choices(POL, POL_W)[0], f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}",
                           rnd.choice(POSTS), appointed, status, rnd.random() < 0.05, rnd.random() < 0.2, left_on,
                           "", "", now, vid, tid, cid)

        counts["cadres"] = _copy(cur, "cadres_cadre", [
            "name", "id_number", "gender", "birth_date", "education", "political_status", "phone", "post",
            "appointed_on", "status", "is_serving_village_cadre", "previous_round", "left_on",
            "disqualify_category", "leave_reason", "created_at", "village_id", "township_id", "county_id"],
            cadre_rows())
        # decision 021: every row scoped through a cadre carries the cadre's township and county
        cur.execute("SELECT id, status, township_id, county_id FROM cadres_cadre ORDER BY id")
        cadres = cur.fetchall()
        log(f"cadres: {counts['cadres']}", t0, verbose)

        # -- a year of leave --------------------------------------------------------------------------
        n_past = len(past_days)

        def leave_rows():
            slot = max(n_past // max(leaves, 1), 4)
            for cadre_id, status, tid, cid in cadres:
                if status != "active":
                    continue
                for k in range(leaves):
                    i = k * slot + rnd.randrange(0, slot - 3)
                    length = rnd.choice((1, 1, 1, 2, 3))
                    halves = length == 1 and rnd.random() < 0.3
                    first = workdays[i]
                    last = workdays[i + length - 1]
                    days = 0.5 if halves else float(length)
                    r = rnd.random()
                    returned_on = decided_at = None
                    if r < 0.002:
                        st = "approved"  # never returned: overstay
                        decided_at = now
                    elif r < 0.05:
                        st = "rejected"
                        decided_at = now
                    elif r < 0.07:
                        st = "cancelled"
                    else:
                        st = "returned"
                        decided_at = now
                        nxt = index_of[last] + 1
                        returned_on = workdays[nxt] if nxt < len(workdays) else last + dt.timedelta(days=1)
                    role = "village_secretary" if days <= 1 else "township_liaison"
                    yield (first, "am", last, "am" if halves else "pm", "家中有事", "written", "", days,
                           role, st, now, decided_at, "同意" if decided_at else "", returned_on, "", cadre_id,
                           "", role if decided_at else "", tid, cid)
            # pending requests in the coming weeks, for the lists and the approval pages
            future = [d for d in workdays if d > as_of]
            for cadre_id, status, tid, cid in cadres[:: 20]:
                if status == "active" and future:
                    d = future[rnd.randrange(0, min(len(future), 30))]
                    yield (d, "am", d, "pm", "参加培训", "written", "", 1.0, "village_secretary", "pending", now,
                           None, "", None, "", cadre_id, "", "", tid, cid)

        counts["leave_requests"] = _copy(cur, "attendance_leaverequest", [
            "start_date", "start_half", "end_date", "end_half", "reason", "channel", "channel_note", "days",
            "approver_role", "status", "submitted_at", "decided_at", "decision_comment", "returned_on",
            "overstay_reason", "cadre_id", "escalated_to", "decided_as", "township_id", "county_id"], leave_rows())
        log(f"leave requests: {counts['leave_requests']}", t0, verbose)

        # -- sparse attendance marks and absence ranges -----------------------------------------------
        def mark_rows():
            for cadre_id, _status, tid, cid in cadres:
                days = {}
                for _k in range(2):
                    days[past_days[rnd.randrange(n_past)]] = ("official", False)
                r = rnd.random()
                if r < 0.002 and n_past > 40:
                    start = rnd.randrange(n_past - 20)
                    for d in past_days[start:start + 17]:
                        days[d] = ("absent", False)
                elif r < 0.03:
                    for _k in range(rnd.randrange(1, 10)):
                        days[past_days[rnd.randrange(n_past)]] = ("absent", rnd.random() < 0.2)
                for d, (st, excused) in days.items():
                    yield d, st, excused, "", now, cadre_id, tid, cid

        counts["attendance_marks"] = _copy(cur, "attendance_attendanceday", [
            "date", "status", "excused", "note", "recorded_at", "cadre_id", "township_id", "county_id"], mark_rows())

        def absence_rows():
            for cadre_id, _status, tid, cid in cadres:
                if rnd.random() < 0.01:
                    i = rnd.randrange(n_past - 3)
                    length = rnd.randrange(1, 4)
                    excused = rnd.random() < 0.3
                    yield (past_days[i], past_days[i + length - 1], "absent", excused, "家中急事" if excused else "",
                           float(length), now, cadre_id, tid, cid)

        counts["absences"] = _copy(cur, "attendance_absence", [
            "start_date", "end_date", "kind", "excused", "note", "days", "created_at", "cadre_id", "township_id",
            "county_id"], absence_rows())
        log(f"attendance marks {counts['attendance_marks']}, absences {counts['absences']}", t0, verbose)

        # -- talks, training, 跟班学习: what the ledger's subqueries read (issue 19 item 7) ----------------
        counts.update(supervision_rows(cur, rnd=rnd, past_days=past_days, verbose=verbose, t0=t0))

        # -- pay policies and a year of bonuses (INSERT … SELECT, rows never leave the server) ----------
        cur.execute(
            "INSERT INTO payroll_paypolicy (valid_from, county_subsidy, township_subsidy, pension_subsidy, "
            "accident_insurance, county_subsidy_source, township_subsidy_source, performance_bonus_source, "
            "pension_subsidy_source, accident_insurance_source, note, created_at, county_id) "
            "SELECT %s, 1000, 1000, 200, 50, 'county', 'township', 'village', 'village', 'village', '基准数据', "
            "now(), id FROM core_county", [dt.date(as_of.year - 2, 1, 1)])
        counts["pay_policies"] = cur.rowcount
        first_month = dt.date(as_of.year - 1, as_of.month, 1)
        cur.execute(
            "INSERT INTO payroll_performancebonus (month, amount, note, updated_at, cadre_id) "
            "SELECT m::date, (100 * (1 + (c.id * 7 + extract(month from m)::int) %% 5))::numeric(12,2), '', now(), c.id "
            "FROM cadres_cadre c CROSS JOIN generate_series(%s::date, %s::date, interval '1 month') m "
            "WHERE c.status = 'active' AND NOT c.is_serving_village_cadre "
            "AND (c.id * 2654435761 %% 1000) < %s",
            [first_month, dt.date(as_of.year, as_of.month, 1), int(bonus_share * 1000)])
        counts["bonuses"] = cur.rowcount
        log(f"policies {counts['pay_policies']}, bonuses {counts['bonuses']}", t0, verbose)

        # -- the users the benchmarks act as ---------------------------------------------------------
        perms = {p.codename: p.pk for p in Permission.objects.filter(content_type__app_label="core")}
        # the province's counties spread over the id space (every n-th county), not the first ids in a row:
        # a real province's rows are not contiguous in the tables of a national database
        step = max(len(county_ids) // max(province_counties, 1), 1)
        province = county_ids[::step][:province_counties]
        cur.execute(
            "INSERT INTO core_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name, phone, must_change_password) VALUES "
            "('!', false, 'bench_province', '', '', '', false, true, now(), '省级组织部（基准）', '', false), "
            "('!', false, 'bench_township', '', '', '', false, true, now(), '乡镇党委（基准）', '', false) "
            "RETURNING id")
        province_user, township_user = (r[0] for r in cur.fetchall())
        _copy(cur, "core_countyuserobjectpermission", ["content_object_id", "permission_id", "user_id"],
              ((cid, perms["county_org"], province_user) for cid, _code in province))
        _copy(cur, "core_roleassignment", ["role", "is_active", "created_at", "county_id", "user_id"],
              (("county_org", True, now, cid, province_user) for cid, _code in province))
        # a county_org of one county (150 villages): the scope in between
        one_county = county_ids[min(499, len(county_ids) - 1)][0]
        cur.execute(
            "INSERT INTO core_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name, phone, must_change_password) VALUES "
            "('!', false, 'bench_county', '', '', '', false, true, now(), '县委组织部（基准）', '', false) RETURNING id")
        county_user = cur.fetchone()[0]
        cur.execute("INSERT INTO core_countyuserobjectpermission (content_object_id, permission_id, user_id) "
                    "VALUES (%s, %s, %s)", [one_county, perms["county_org"], county_user])
        cur.execute("INSERT INTO core_roleassignment (role, is_active, created_at, county_id, user_id) "
                    "VALUES ('county_org', true, now(), %s, %s)", [one_county, county_user])
        first_township = township_rows[0][0]
        cur.execute("INSERT INTO core_townshipuserobjectpermission (content_object_id, permission_id, user_id) "
                    "VALUES (%s, %s, %s)", [first_township, perms["township_party"], township_user])
        cur.execute("INSERT INTO core_roleassignment (role, is_active, created_at, township_id, user_id) "
                    "VALUES ('township_party', true, now(), %s, %s)", [first_township, township_user])
        # load-test users: the secretary of village i and the (first active) cadre of village i
        load = []
        cur.execute("SELECT DISTINCT ON (village_id) village_id, id FROM cadres_cadre WHERE status = 'active' "
                    "ORDER BY village_id, id")
        first_cadre = dict(cur.fetchall())
        for vid, _code, _cid, _tid in village_rows:
            if vid in first_cadre and len(load) < load_villages:
                load.append((vid, first_cadre[vid]))
        for i, (vid, cadre_id) in enumerate(load):
            cur.execute(
                "INSERT INTO core_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
                "is_active, date_joined, full_name, phone, must_change_password) VALUES "
                "('!', false, %s, '', '', '', false, true, now(), %s, '', false), "
                "('!', false, %s, '', '', '', false, true, now(), %s, '', false) RETURNING id",
                [f"bench_sec_{i}", f"书记{i}", f"bench_cadre_{i}", f"后备干部{i}"])
            sec_user, cadre_user = (r[0] for r in cur.fetchall())
            cur.execute("INSERT INTO core_villageuserobjectpermission (content_object_id, permission_id, user_id) "
                        "VALUES (%s, %s, %s)", [vid, perms["village_secretary"], sec_user])
            cur.execute("INSERT INTO core_roleassignment (role, is_active, created_at, village_id, user_id) "
                        "VALUES ('village_secretary', true, now(), %s, %s)", [vid, sec_user])
            cur.execute("UPDATE cadres_cadre SET user_id = %s WHERE id = %s", [cadre_user, cadre_id])
            for uid in (sec_user, cadre_user):
                cur.execute("INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, now(), %s)",
                            [f"{uid:08d}{rnd.getrandbits(128):032x}", uid])
        counts["load_pairs"] = len(load)
        counts["province_villages"] = sum(1 for _v, _c, cid, _t in village_rows if cid in {c for c, _ in province})
    with connection.cursor() as cur:  # what autovacuum does after a load: statistics and visibility map
        cur.execute("VACUUM (ANALYZE)" if not connection.in_atomic_block else "ANALYZE")
    counts["as_of"] = as_of.isoformat()
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    log(f"done: {counts}", t0, verbose)
    return counts


def supervision_only(db: str, *, seed: int = 8) -> None:
    from bench.common import report, setup

    setup(db)
    from django.db import connection, transaction
    from django.utils import timezone

    from core import calendar

    t0 = time.perf_counter()
    as_of = timezone.localdate() - dt.timedelta(days=1)
    past_days = [d for d in calendar.working_days(as_of - dt.timedelta(days=364), as_of, county_overrides={})]
    with transaction.atomic(), connection.cursor() as cur:
        counts = supervision_rows(cur, rnd=random.Random(seed + 1), past_days=past_days, t0=t0)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    report(f"generate_supervision_{db}", {"db": db, **counts, "seconds": round(time.perf_counter() - t0, 1)})


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="reserve_cadres_bench")
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    p.add_argument("--counties", type=int, default=10)
    p.add_argument("--townships", type=int, default=10, help="townships per county")
    p.add_argument("--villages", type=int, default=15, help="villages per township")
    p.add_argument("--cadres-per-village", type=int, default=1)
    p.add_argument("--province-counties", type=int, default=100,
                   help="counties the bench_province user holds county_org on (100 × 150 = 15,000 villages)")
    p.add_argument("--leaves", type=int, default=2, help="leave requests per cadre in the year")
    p.add_argument("--bonus-share", type=float, default=0.5)
    p.add_argument("--load-villages", type=int, default=100)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--supervision-only", action="store_true",
                   help="only add talks, training and attachments to the cadres of an existing database "
                        "(also one of an older schema, for before/after comparisons)")
    args = p.parse_args(argv)
    if args.supervision_only:
        supervision_only(args.db, seed=args.seed)
        return
    create_database(args.db, fresh=args.fresh)
    from bench.common import report, setup

    setup(args.db)
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = round(time.perf_counter() - t, 1)
    counts = generate(counties=args.counties, townships=args.townships, villages=args.villages,
                      cadres_per_village=args.cadres_per_village, province_counties=args.province_counties,
                      leaves=args.leaves, bonus_share=args.bonus_share, load_villages=args.load_villages,
                      seed=args.seed)
    report("generate", {"db": args.db, "migrate_seconds": migrate_s, **counts})


if __name__ == "__main__":
    main(sys.argv[1:])
