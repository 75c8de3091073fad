"""R-57: work assignments (工作任务) — the township or the village gives a cadre a task with a goal and a
deadline, the cadre reports completion, the assigning tier evaluates; overdue tasks are flagged on the home
page and told once; the year-end assessment (R-55) shows the cadre's year on the same page."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from attendance.models import LeaveRequest
from core.dates import today
from core.errors import Conflict
from core.models import Notification
from core.roles import Role
from supervision import selectors
from supervision.models import Attachment, AttachmentPlan, Commitment, Talk, WorkAssignment
from supervision.services import assignments as svc
from supervision.services import check_overdue
from tests.factories import CadreFactory, client_for

pytestmark = pytest.mark.django_db


def _form(world, **kw):
    data = {"cadre": world.cadre.pk, "kind": "central", "title": "人居环境整治百日攻坚",
            "goal": "负责3个自然村的垃圾清运。", "assigned_on": (today() - dt.timedelta(days=5)).isoformat(),
            "due_on": (today() + dt.timedelta(days=20)).isoformat()}
    data.update(kw)
    return data


def _task(world, by, *, cadre=None, assigned_days_ago=10, due_in=10, title="整理村级档案"):
    return svc.assignment_create(cadre=cadre or world.cadre, kind="village", title=title, goal="分类装订归档。",
                                 assigned_on=today() - dt.timedelta(days=assigned_days_ago),
                                 due_on=today() + dt.timedelta(days=due_in), by=by)


# -- assign --------------------------------------------------------------------------------------------

def test_r57_township_assigns_a_task_from_the_page(world, party):
    c = client_for(party)
    r = c.post("/supervision/assignments/new/", _form(world))
    assert r.status_code == 302
    task = WorkAssignment.objects.get()
    assert task.tier == "township" and task.assigned_by == party and task.cadre == world.cadre
    page = c.get(r["Location"]).content.decode()
    assert "人居环境整治百日攻坚" in page and "进行中" in page and "中心工作" in page
    listing = c.get("/supervision/assignments/").content.decode()
    assert "人居环境整治百日攻坚" in listing and "张三" in listing


def test_r57_village_secretary_and_liaison_assign_at_their_village(world):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    assert _task(world, secretary).tier == "village"
    assert _task(world, world.users[Role.TOWNSHIP_LIAISON], title="防汛值守").tier == "township"


def test_r57_bad_input_is_refused_in_chinese_and_changes_nothing(world, party):
    c = client_for(party)
    past = (today() - dt.timedelta(days=10)).isoformat()
    r = c.post("/supervision/assignments/new/", _form(world, due_on=past))
    assert r.status_code == 200 and "完成期限不能早于交办日期" in r.content.decode()
    r = c.post("/supervision/assignments/new/", _form(world, assigned_on=(today() + dt.timedelta(days=3)).isoformat()))
    assert r.status_code == 200 and "日期不能晚于今天" in r.content.decode()
    r = c.post("/supervision/assignments/new/", _form(world, goal=" "))
    assert r.status_code == 200
    assert WorkAssignment.objects.count() == 0


def test_r57_a_cadre_who_left_gets_no_task(world, party):
    left = CadreFactory(village=world.village, name="王五", status="resigned", left_on=today())
    with pytest.raises(ValidationError) as exc:
        _task(world, party, cadre=left)
    assert "已不在岗" in str(exc.value)
    assert WorkAssignment.objects.count() == 0


def test_r57_scope_outside_is_404_and_no_role_is_403(world, party):
    theirs = _task(world, world.users["township_party_b"], cadre=world.other_cadre)
    c = client_for(party)
    assert c.get(f"/supervision/assignments/{theirs.pk}/").status_code == 404
    assert c.get(f"/supervision/assignments/{theirs.pk}/edit/").status_code == 404
    # another township's cadre cannot be chosen on the form, nor assigned through the service
    r = c.post("/supervision/assignments/new/", _form(world, cadre=world.other_cadre.pk))
    assert r.status_code == 200 and WorkAssignment.objects.count() == 1
    with pytest.raises(PermissionDenied):
        _task(world, party, cadre=world.other_cadre)
    # county_org reads but does not assign
    org = client_for(world.users[Role.COUNTY_ORG])
    assert org.get(f"/supervision/assignments/{theirs.pk}/").status_code == 200
    assert org.get("/supervision/assignments/new/").status_code == 403


def test_r57_the_list_filters_and_exports(world, party):
    _task(world, party, title="整理村级档案")
    overdue = _task(world, party, title="防汛值守", assigned_days_ago=20, due_in=-2)
    c = client_for(party)
    page = c.get("/supervision/assignments/?status=overdue").content.decode()
    assert "防汛值守" in page and "整理村级档案" not in page and "已逾期" in page
    page = c.get(f"/supervision/assignments/?q=档案&year={today().year}").content.decode()
    assert "整理村级档案" in page and "防汛值守" not in page
    page = c.get("/supervision/assignments/?status=junk&township=99999999999999999999&year=x&page=zz")
    assert page.status_code == 200
    r = c.get("/supervision/assignments/?status=overdue&export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "防汛值守" in values and "整理村级档案" not in values and "已逾期" in values
    assert overdue.status_on(today()) == "overdue"


# -- complete and evaluate --------------------------------------------------------------------------------

def test_r57_the_cadre_reports_completion_of_their_own_task(world, party):
    task = _task(world, party)
    cadre = client_for(world.users[Role.CADRE])
    page = cadre.get(f"/supervision/assignments/{task.pk}/").content.decode()
    assert "报告完成" in page and "保存评价" not in page
    r = cadre.post(f"/supervision/assignments/{task.pk}/", {
        "action": "complete", "c-completed_on": today().isoformat(), "c-completion_note": "已装订归档36卷。"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.completed_on == today() and task.completed_by == world.users[Role.CADRE]
    page = cadre.get(f"/supervision/assignments/{task.pk}/").content.decode()
    assert "已装订归档36卷" in page and "已完成" in page and 'value="complete"' not in page


def test_r57_completion_is_checked_and_only_the_cadre_or_the_tier_reports(world, party):
    task = _task(world, party)
    cadre = client_for(world.users[Role.CADRE])
    r = cadre.post(f"/supervision/assignments/{task.pk}/", {
        "action": "complete", "c-completed_on": (today() - dt.timedelta(days=30)).isoformat(),
        "c-completion_note": "做了"})
    assert r.status_code == 200 and "完成日期不能早于交办日期" in r.content.decode()
    task.refresh_from_db()
    assert task.completed_on is None
    with pytest.raises(PermissionDenied):  # the secretary did not assign it, and is not the cadre
        svc.assignment_complete(assignment=task, completed_on=today(), completion_note="x",
                                by=world.users[Role.VILLAGE_SECRETARY])
    svc.assignment_complete(assignment=task, completed_on=today(), completion_note="完成", by=party)
    with pytest.raises(Conflict):
        svc.assignment_complete(assignment=task, completed_on=today(), completion_note="再报", by=party)


def test_r57_the_assigning_tier_evaluates_a_completed_task(world, party):
    task = _task(world, party)
    with pytest.raises(Conflict):
        svc.assignment_evaluate(assignment=task, evaluation="good", by=party)
    svc.assignment_complete(assignment=task, completed_on=today(), completion_note="完成",
                            by=world.users[Role.CADRE])
    with pytest.raises(PermissionDenied):  # the cadre does not evaluate
        svc.assignment_evaluate(assignment=task, evaluation="excellent", by=world.users[Role.CADRE])
    with pytest.raises(PermissionDenied):  # a township task is not the village's to evaluate
        svc.assignment_evaluate(assignment=task, evaluation="excellent", by=world.users[Role.VILLAGE_SECRETARY])
    c = client_for(world.users[Role.TOWNSHIP_LIAISON])  # the township tier: a colleague of the assigner
    r = c.post(f"/supervision/assignments/{task.pk}/", {"action": "evaluate", "e-evaluation": "poor"})
    assert r.status_code == 200 and "评为较差须写明评价意见" in r.content.decode()
    r = c.post(f"/supervision/assignments/{task.pk}/", {"action": "evaluate", "e-evaluation": "good",
                                                         "e-evaluation_note": "按期完成。"})
    assert r.status_code == 302
    page = c.get(f"/supervision/assignments/{task.pk}/").content.decode()
    assert "良好" in page and "按期完成" in page and "已评价" in page


def test_r57_a_correction_needs_a_reason_and_is_kept_in_the_history(world, party):
    task = _task(world, party)
    c = client_for(party)
    data = {"title": task.title, "goal": task.goal, "assigned_on": task.assigned_on.isoformat(),
            "due_on": (task.due_on + dt.timedelta(days=7)).isoformat(), "completed_on": "", "completion_note": "",
            "evaluation": "", "evaluation_note": "", "reason": ""}
    r = c.post(f"/supervision/assignments/{task.pk}/edit/", data)
    assert r.status_code == 200 and 'data-field="reason"' in r.content.decode()
    task.refresh_from_db()
    old_due = task.due_on
    r = c.post(f"/supervision/assignments/{task.pk}/edit/", {**data, "reason": "汛情影响，延期一周"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.due_on == old_due + dt.timedelta(days=7)
    page = c.get(f"/supervision/assignments/{task.pk}/").content.decode()
    assert "汛情影响，延期一周" in page and "变更记录" in page
    # the cadre may not correct
    assert client_for(world.users[Role.CADRE]).get(f"/supervision/assignments/{task.pk}/edit/").status_code == 403


# -- overdue -----------------------------------------------------------------------------------------------

def test_r57_overdue_tasks_on_the_assigners_home_panel(world, party):
    _task(world, party, title="防汛值守", assigned_days_ago=20, due_in=-2)
    _task(world, party, title="整理村级档案")
    home = client_for(party).get("/").content.decode()
    assert "逾期未完成的工作任务" in home and "张三：防汛值守" in home and "整理村级档案" not in home
    # the other township, and the cadre, do not see this panel's task
    assert "防汛值守" not in client_for(world.users["township_party_b"]).get("/").content.decode()
    assert "逾期未完成的工作任务" not in client_for(world.users[Role.CADRE]).get("/").content.decode()


def test_r57_the_daily_check_tells_the_assigner_and_the_cadre_once(world, party):
    task = _task(world, party, title="防汛值守", assigned_days_ago=20, due_in=-2)
    _task(world, party, title="整理村级档案")
    first = check_overdue(as_of=today())
    assert first["assignments"] == 2  # the assigner and the cadre
    again = check_overdue(as_of=today())
    assert again["assignments"] == 0
    notes = Notification.objects.filter(kind="assignment_overdue")
    assert {n.user for n in notes} == {party, world.users[Role.CADRE]}
    assert all("防汛值守" in n.title for n in notes)
    # reporting completion settles the notice
    svc.assignment_complete(assignment=task, completed_on=today(), completion_note="已完成巡查。",
                            by=world.users[Role.CADRE])
    assert not Notification.objects.filter(kind="assignment_overdue", read_at__isnull=True).exists()


# -- the assessor's page shows the year (R-55) ----------------------------------------------------------------

def _year(world, party):
    year = today().year
    done = _task(world, party, title="人居环境整治", assigned_days_ago=30, due_in=-5)
    svc.assignment_complete(assignment=done, completed_on=today() - dt.timedelta(days=6), completion_note="完成",
                            by=party)
    svc.assignment_evaluate(assignment=done, evaluation="excellent", evaluation_note="组织得力。", by=party)
    _task(world, party, title="防汛值守", assigned_days_ago=20, due_in=-2)
    Commitment.objects.create(cadre=world.cadre, year=year, promises="办好三件实事", results="修路一条",
                              evaluation="good")
    Attachment.objects.create(cadre=world.cadre, township=world.township, start_date=dt.date(year, 3, 1),
                              end_date=dt.date(year, 3, 12), days=12)
    AttachmentPlan.objects.create(cadre=world.cadre, start_date=dt.date(year, 3, 1), end_date=dt.date(year, 3, 31),
                                  days=31, department="党政办")
    Talk.objects.create(kind="individual", cadre=world.cadre, township=world.township, village=world.village,
                        held_on=dt.date(year, 2, 10), interviewer="王明", record="谈话")
    Talk.objects.create(kind="heart_to_heart", cadre=world.cadre, township=world.township, village=world.village,
                        held_on=dt.date(year, 2, 20), interviewer="书记", record="谈心", mood_swing=True)
    LeaveRequest.objects.create(cadre=world.cadre, start_date=dt.date(year, 4, 6), end_date=dt.date(year, 4, 7),
                                days=2, reason="家事", status="returned", approver_role="township_liaison",
                                returned_on=dt.date(year, 4, 8))
    return year


def test_r57_r55_the_assessment_page_shows_the_cadres_year(world, party):
    year = _year(world, party)
    page = client_for(party).get(f"/supervision/assessments/new/?cadre={world.cadre.pk}&year={year}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"张三的{year}年度情况" in html
    assert "人居环境整治" in html and "优秀" in html and "组织得力" in html and "防汛值守" in html
    assert "已逾期 1" in html
    assert "办好三件实事" in html and "修路一条" in html
    assert "已跟班 12 天，计划 31 天，全县最少 30 天" in html and "未达计划" in html
    assert "谈话考察 1 · 谈心谈话 1 · 集体谈话 0" in html and "思想波动" in html
    assert "请假 1 次共 2" in html
    # the form is on the same page, with the cadre chosen
    assert 'name="result"' in html and f'value="{world.cadre.pk}" selected' in html


def test_r57_assessment_page_without_a_cadre_or_with_junk_stays_plain(world, party):
    c = client_for(party)
    for q in ("", "?cadre=abc&year=zz", "?cadre=99999999999999999999999", f"?cadre={world.other_cadre.pk}"):
        r = c.get(f"/supervision/assessments/new/{q}")
        html = r.content.decode()
        assert r.status_code == 200 and 'data-testid="assessment-year"' not in html and "李四" not in html
        assert "选择后备干部后，这里显示其当年的工作任务" in html


def test_r57_year_context_runs_a_constant_number_of_queries(world, party):
    year = _year(world, party)
    with CaptureQueriesContext(connection) as few:
        selectors.assessment_year_context(world.cadre, year)
    for i in range(6):
        _task(world, party, title=f"任务{i}")
        Talk.objects.create(kind="individual", cadre=world.cadre, township=world.township, village=world.village,
                            held_on=dt.date(year, 5, 1 + i), interviewer="王明", record="谈话")
    with CaptureQueriesContext(connection) as many:
        ctx = selectors.assessment_year_context(world.cadre, year)
    assert len(ctx["tasks"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_r57_fragment_for_the_cadre_page(world, party):
    from django.template.loader import render_to_string

    _task(world, party, title="整理村级档案")
    _task(world, world.users["township_party_b"], cadre=world.other_cadre, title="别村任务")
    rows = selectors.assignments_for_cadre(world.cadre, user=world.users[Role.CADRE])
    html = render_to_string("supervision/assignments/_for_cadre.html", {"assignments": rows, "cadre": world.cadre})
    assert "整理村级档案" in html and "进行中" in html and "别村任务" not in html
    assert not selectors.assignments_for_cadre(world.other_cadre, user=world.users[Role.CADRE]).exists()


# -- API ---------------------------------------------------------------------------------------------------

def test_r57_api_assign_complete_evaluate(world, party, api):
    body = {"cadre": world.cadre.pk, "kind": "urgent", "title": "防汛值守", "goal": "巡查隐患点。",
            "assigned_on": (today() - dt.timedelta(days=3)).isoformat(),
            "due_on": (today() + dt.timedelta(days=3)).isoformat()}
    r = api(party).post("/api/v1/work-assignments/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "open" and r.json()["tier"] == "township"
    pk = r.json()["id"]
    bad = api(party).post("/api/v1/work-assignments/", {**body, "due_on": "2000-01-01"}, format="json")
    assert bad.status_code == 400 and WorkAssignment.objects.count() == 1
    assert api(world.users["township_party_b"]).post("/api/v1/work-assignments/", body,
                                                      format="json").status_code == 404
    assert api(world.users["township_party_b"]).get(f"/api/v1/work-assignments/{pk}/").status_code == 404
    cadre = api(world.users[Role.CADRE])
    r = cadre.post(f"/api/v1/work-assignments/{pk}/complete/",
                   {"completed_on": today().isoformat(), "completion_note": "已巡查5处。"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert cadre.post(f"/api/v1/work-assignments/{pk}/evaluate/", {"evaluation": "good"},
                      format="json").status_code == 403
    r = api(party).post(f"/api/v1/work-assignments/{pk}/evaluate/", {"evaluation": "good", "evaluation_note": "及时"},
                        format="json")
    assert r.status_code == 200 and r.json()["status"] == "evaluated" and r.json()["evaluation"] == "good"
    listed = api(party).get("/api/v1/work-assignments/?status=evaluated").json()
    assert [row["id"] for row in listed["results"]] == [pk]


def test_r57_api_in_the_schema(world, api):
    schema = api(world.users[Role.COUNTY_ORG]).get("/api/schema/").content.decode()
    assert "/api/v1/work-assignments/" in schema
    assert "/api/v1/work-assignments/{id}/complete/" in schema and "/api/v1/work-assignments/{id}/evaluate/" in schema


def r57_demo_facts() -> int:
    """R-57 in the demo county: two tasks per cadre in a few villages, some evaluated, one overdue. Checked by
    tests/core/test_demo.py, which builds the demo once for every app (twice: the rebuild changes nothing)."""
    tasks = list(WorkAssignment.objects.select_related("cadre"))
    cadres = {t.cadre_id for t in tasks}
    assert 4 <= len(cadres) and len(tasks) == 2 * len(cadres)
    statuses = [t.status_on(today()) for t in tasks]
    assert statuses.count("overdue") == 1 and statuses.count("evaluated") == len(cadres)
    assert {t.tier for t in tasks} == {"township", "village"}
    return len(tasks)


def test_list_filters_say_all_even_after_the_api_schema_was_built(world, party, api):
    # found with R-57's list: the schema generator caches a form field on the class's filters, which every
    # later page copied — its choices then began with "---------" instead of 全部
    api(party).get("/api/schema/")
    html = client_for(party).get("/supervision/assignments/").content.decode()
    assert '<option value="">全部</option>' in html and "---------" not in html
