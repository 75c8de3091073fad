"""Issue 16: render time of the PDFs that print free text, against the length of that text.

Renders the real templates (请假审批表 and 一人一档) with unsaved objects, so it needs no database:

    .venv/bin/python -m bench.bench_pdf_text                 # CJK and Latin text, 200 … 10,000 characters
    .venv/bin/python -m bench.bench_pdf_text --lengths 200 2000 --kinds cjk

Each render runs in a child process with a time limit (--limit, default 120 s), so a slow one is reported
as "> limit" instead of holding the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = {"cjk": "因家中老人住院需要陪护照料", "latin": "a", "mixed": "请假abc123"}


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def text_of(kind: str, n: int) -> str:
    unit = TEXT[kind]
    return (unit * (n // len(unit) + 1))[:n]


def _objects(text: str):
    from attendance.models import LeaveRequest
    from cadres.models import Cadre, DisciplineCase
    from core.models import County, Township, Village
    from supervision.models import Assessment, Commitment, Talk

    county = County(pk=1, name="清流县", code="350423")
    township = Township(pk=1, county=county, name="龙津镇", code="350423100")
    village = Village(pk=1, township=township, name="城东村", code="350423100201")
    cadre = Cadre(pk=1, name="张三", id_number="350423199001011234", gender="M", birth_date=dt.date(1990, 1, 1),
                  education="college", phone="13800000000", village=village, appointed_on=dt.date(2023, 1, 1),
                  leave_reason=text)
    leave = LeaveRequest(pk=1, cadre=cadre, start_date=dt.date(2026, 5, 11), end_date=dt.date(2026, 5, 12),
                         reason=text, channel="wechat", channel_note=text[:300], days=Decimal("2.0"),
                         approver_role="township_liaison", decision_comment=text, overstay_reason=text)
    leave.submitted_at = dt.datetime(2026, 5, 10, 9, 0, tzinfo=dt.timezone.utc)
    talks = [Talk(pk=1, kind="individual", cadre=cadre, township=township, held_on=dt.date(2026, 3, 1),
                  interviewer="李四", record=text)]
    commitments = [Commitment(pk=1, cadre=cadre, year=2026, promises=text, results=text)]
    assessments = [Assessment(pk=1, cadre=cadre, year=2025, result="competent", assessed_on=dt.date(2025, 12, 20),
                              notes=text)]
    cases = [DisciplineCase(pk=1, cadre=cadre, category="absence", opened_on=dt.date(2026, 4, 1), details=text,
                            decision_note=text)]
    return cadre, leave, talks, commitments, assessments, cases


def render(doc: str, kind: str, n: int) -> float:
    _setup()
    # warm up (fonts loaded and parsed once per process, as in a running server), then time
    _render(doc, *_objects("短"))
    started = time.perf_counter()
    _render(doc, *_objects(text_of(kind, n)))
    return time.perf_counter() - started


def _render(doc, cadre, leave, talks, commitments, assessments, cases):
    from django.utils import timezone

    from core.pdf import render_pdf
    from supervision.models import SupervisionSetting

    if doc == "leave":
        from attendance.exports import leave_form_context

        render_pdf("pdf/attendance_leave_form.html", leave_form_context(leave))
    else:
        render_pdf("pdf/supervision_dossier.html", {
            "cadre": cadre, "pairing": None, "groups": [], "training": [], "attachments": [],
            "attachment_years": [], "talks": talks, "commitments": commitments, "assessments": assessments,
            "cases": cases, "pay_available": False, "setting": SupervisionSetting(),
            "id_number": cadre.id_number, "phone": cadre.phone, "generated": timezone.localdate()})


def _child(queue, doc, kind, n):
    queue.put(render(doc, kind, n))


def timed(doc: str, kind: str, n: int, limit: float) -> float | None:
    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_child, args=(queue, doc, kind, n))
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", nargs="+", default=["leave", "dossier"])
    parser.add_argument("--kinds", nargs="+", default=["cjk", "latin"])
    parser.add_argument("--lengths", nargs="+", type=int, default=[200, 2000, 5000, 10000])
    parser.add_argument("--limit", type=float, default=120)
    args = parser.parse_args(argv)
    for doc in args.docs:
        for kind in args.kinds:
            for n in args.lengths:
                seconds = timed(doc, kind, n, args.limit)
                shown = f"> {args.limit:.0f} s" if seconds is None else f"{seconds:.2f} s"
                print(f"{doc:8} {kind:6} {n:6} chars  {shown}", flush=True)


if __name__ == "__main__":
    main()
