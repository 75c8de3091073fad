"""The 清流县 demo (issue 2 item 8): real divisions, a user per role per unit, ~110 cadres, idempotent."""

import io

import pytest
from django.core.management import call_command

from cadres.models import Cadre
from core.models import County, RoleAssignment, Township, User, Village
from core.roles import Role
from tests.attendance.test_duty_rota import r28_demo_facts
from tests.core.test_attachments import attachment_demo_facts
from tests.payroll.test_payee_accounts import r45_demo_facts
from tests.supervision.test_work_assignments import r57_demo_facts

pytestmark = pytest.mark.django_db


def counts():
    return (Township.objects.count(), Village.objects.count(), User.objects.count(), Cadre.objects.count(),
            RoleAssignment.objects.count())


def test_demo_builds_the_real_county_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    county = County.objects.get(code="350423")
    assert county.name == "清流县"
    assert Township.objects.filter(county=county).count() == 13
    assert Village.objects.filter(township__county=county).count() == 120
    assert Village.objects.get(code="350423100201").name == "城东村"
    active = Cadre.objects.filter(status=Cadre.Status.ACTIVE).count()
    assert 100 <= active <= 120
    assert Cadre.objects.exclude(status=Cadre.Status.ACTIVE).exists()  # some left: history and vacancies
    for role in (Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS):
        assert RoleAssignment.objects.filter(role=role, county=county).count() == 1
    assert RoleAssignment.objects.filter(role=Role.TOWNSHIP_PARTY).count() == 13
    assert RoleAssignment.objects.filter(role=Role.VILLAGE_SECRETARY).count() == 120
    assert RoleAssignment.objects.filter(role=Role.TOWNSHIP_LIAISON).count() == 120
    printed = out.getvalue()
    assert "Qingliu@2026" in printed and "org" in printed and "secretary_100001" in printed
    assert User.objects.get(username="org").must_change_password  # 等保: first sign-in sets a new password

    # every app's demo, read from this one build (a build takes seconds: one for all, not one per app)
    every_demo_pay_month_is_what_the_rules_give()
    facts = {"R-28": r28_demo_facts(), "R-45": r45_demo_facts(), "R-57": r57_demo_facts(),
             "attachments": attachment_demo_facts()}

    # run again, as on a second `scripts/run`: nothing is added; with --no-password-change the demo users
    # may keep the shared password (a build takes seconds: the two checks share this one)
    before = counts()
    call_command("seed_demo", "--no-password-change", stdout=io.StringIO())
    assert counts() == before
    assert {"R-28": r28_demo_facts(), "R-45": r45_demo_facts(), "R-57": r57_demo_facts(),
            "attachments": attachment_demo_facts()} == facts  # idempotent
    assert not User.objects.get(username="org").must_change_password


def every_demo_pay_month_is_what_the_rules_give():
    """Issue 13 item 3: the demo obeys R-41 — no approved month pays someone who had left (the 不称职 of last
    year's assessment included), and no draft is stale right after the demo is built."""
    from payroll.models import PayRun
    from payroll.staleness import compare

    runs = list(PayRun.objects.order_by("month"))
    assert sum(r.status == PayRun.Status.APPROVED for r in runs) == 6
    for run in runs:
        difference = compare(run, approved_too=True)
        assert not difference, f"{run}: {difference.reason()}"
    disqualified = Cadre.objects.filter(status=Cadre.Status.DISQUALIFIED, left_on__isnull=False)
    assert disqualified.exists()
    for cadre in disqualified:
        assert not cadre.pay_lines.filter(run__month__gt=cadre.left_on).exists(), cadre.name
