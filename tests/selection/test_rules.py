"""Selection rules R-10…R-15 through the services, each with its edge."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cadres.models import Cadre, Education
from core.dates import today
from core.errors import Conflict
from core.selectors import vacancy_list
from selection import policies, services
from selection.models import Application, Round
from tests.factories import CadreFactory, id_number_for

pytestmark = pytest.mark.django_db


# -- R-10 rounds ----------------------------------------------------------------------------

def test_defaults_of_a_round(rnd):
    # weights and bonuses per round with their defaults
    assert rnd.written_weight == Decimal("0.50")
    assert rnd.college_bonus == Decimal("0.00") and rnd.previous_round_bonus == Decimal("0.00")
    assert rnd.status == Round.Status.ANNOUNCED
    assert rnd.history.first().history_user is not None


def test_second_supplement_round_of_a_year_is_refused(rnd, world, org):
    # at most one supplement round per county per calendar year (第八条（2）)
    with pytest.raises(ValidationError) as exc:
        services.round_create(by=org, county=world.county, year=rnd.year, kind="supplement", title="再次增补",
                              announced_on=rnd.announced_on, apply_until=rnd.apply_until)
    assert "每年只增补一次" in str(exc.value.message_dict["kind"])
    assert Round.objects.filter(kind="supplement").count() == 1
    # a main round the same year, and a supplement the next year, are fine
    services.round_create(by=org, county=world.county, year=rnd.year, kind="main", title="换届集中选拔",
                          announced_on=rnd.announced_on, apply_until=rnd.apply_until)
    nxt = dt.date(rnd.year + 1, 3, 1)
    services.round_create(by=org, county=world.county, year=rnd.year + 1, kind="supplement", title="明年增补",
                          announced_on=nxt, apply_until=nxt + dt.timedelta(days=10))


def test_second_supplement_round_is_also_refused_by_the_database(rnd, world):
    # the constraint holds even when the service is bypassed
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(county=world.county, year=rnd.year, kind="supplement", title="x",
                             announced_on=rnd.announced_on, apply_until=rnd.apply_until)


def test_round_dates_must_agree(world, org):
    with pytest.raises(ValidationError) as exc:
        services.round_create(by=org, county=world.county, year=2026, kind="supplement", title="t",
                              announced_on=dt.date(2026, 5, 10), apply_until=dt.date(2026, 5, 1))
    assert "不能早于公告日期" in exc.value.message_dict["apply_until"][0]


def test_weights_frozen_once_scores_exist(rnd, apply, advance, org):
    # a composite already computed must not silently change meaning
    services.round_update(round=rnd, by=org, written_weight=Decimal("0.60"))
    advance(apply(), "scored")
    with pytest.raises(Conflict):
        services.round_update(round=rnd, by=org, written_weight=Decimal("0.40"))
    services.round_update(round=rnd, by=org, title="改个标题")


def test_round_cannot_close_with_pending_applications(rnd, apply, advance, org):
    app = apply()
    with pytest.raises(Conflict) as exc:
        services.round_close(round=rnd, by=org)
    assert "1 份报名未办结" in exc.value.message
    advance(app, "appointed")
    services.round_close(round=rnd, by=org)
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.CLOSED and rnd.closed_by == org
    with pytest.raises(Conflict):
        apply(name="迟到者")


# -- R-12 negative list, R-13 ban -------------------------------------------------------------

def test_declared_negative_list_item_refuses_and_names_it(apply):
    #
    items = {k: False for k in policies.NEGATIVE_KEYS}
    items["7"] = True
    with pytest.raises(ValidationError) as exc:
        apply(negative_list=items)
    message = exc.value.message_dict["negative_list"][0]
    assert "第七条第（7）项" in message and "村霸" in message
    assert Application.objects.count() == 0


def test_every_item_must_be_declared(apply):
    # the ten items are each declared, not just "none"
    items = {k: False for k in policies.NEGATIVE_KEYS[:9]}
    with pytest.raises(ValidationError) as exc:
        apply(negative_list=items)
    assert "第10项未声明" in exc.value.message_dict["negative_list"][0]


def _banned(id_number, banned_until, world):
    return CadreFactory(village=world.village, id_number=id_number, status=Cadre.Status.DISQUALIFIED,
                        disqualified_on=banned_until.replace(year=banned_until.year - 5), banned_until=banned_until)


def test_ban_whose_last_day_was_yesterday_lets_them_apply(apply, world):
    # banned_until is the first free day; last banned day yesterday → banned_until = today
    number = id_number_for()
    _banned(number, today(), world)
    app = apply(id_number=number)
    assert app.status == Application.Status.SUBMITTED


def test_ban_whose_last_day_is_today_refuses_and_says_until_when(apply, world):
    # last banned day today → banned_until = tomorrow → refused, stating the dates
    number = id_number_for()
    _banned(number, today() + dt.timedelta(days=1), world)
    with pytest.raises(ValidationError) as exc:
        apply(id_number=number)
    message = exc.value.message_dict["id_number"][0]
    assert f"禁选期至{today()}（含当日）" in message
    assert f"{today() + dt.timedelta(days=1)}起方可报名" in message
    assert Application.objects.count() == 0


def test_invalid_id_number_is_a_field_error(apply):
    # R-03 via core.idcard
    with pytest.raises(ValidationError) as exc:
        apply(id_number="35042319950517001X")
    assert "id_number" in exc.value.message_dict


def test_one_application_per_person_per_round(apply, world):
    number = id_number_for()
    apply(id_number=number)
    with pytest.raises(ValidationError) as exc:
        apply(id_number=number, village=world.village)
    assert "每人每批次只能报一个村" in exc.value.message_dict["id_number"][0]


def test_active_cadre_cannot_apply(apply, world):
    with pytest.raises(ValidationError) as exc:
        apply(id_number=world.cadre.id_number)
    assert "在岗后备干部" in exc.value.message_dict["id_number"][0]


def test_village_of_another_county_refused(apply):
    from tests.factories import VillageFactory

    with pytest.raises(ValidationError) as exc:
        apply(village=VillageFactory())
    assert "village" in exc.value.message_dict


# -- R-14 education, review --------------------------------------------------------------------

def test_below_high_school_needs_an_exception_reason(apply, party):
    #
    app = apply(education=Education.BELOW_HIGH_SCHOOL)
    with pytest.raises(ValidationError) as exc:
        services.application_review(application=app, by=party, passed=True, comment="好")
    assert "破格理由" in exc.value.message_dict["education_exception"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    app = services.application_review(application=app, by=party, passed=True, comment="好",
                                       education_exception="长期在村服务，群众公认")
    assert app.status == Application.Status.REVIEWED
    assert app.education_exception == "长期在村服务，群众公认"


def test_high_school_needs_no_exception(apply, party):
    app = services.application_review(application=apply(), by=party, passed=True)
    assert app.status == Application.Status.REVIEWED


def test_review_finding_a_negative_item_rejects_with_the_item(apply, party):
    # the preliminary review verifies the declaration
    app = services.application_review(application=apply(), by=party, passed=False, negative_items_found=["3"])
    assert app.status == Application.Status.REJECTED
    assert "第七条第（3）项" in app.rejection_reason
    with pytest.raises(ValidationError):
        services.application_review(application=apply(name="赵六"), by=party, passed=True,
                                    negative_items_found=["3"])


def test_rejection_needs_a_reason(apply, party):
    with pytest.raises(ValidationError) as exc:
        services.application_review(application=apply(), by=party, passed=False)
    assert "comment" in exc.value.message_dict


# -- R-15 scores, composite, ranking ----------------------------------------------------------

def test_composite_with_weight_and_bonuses(rnd, apply, advance, org):
    # R-15 with R-14 bonuses: 80.25×0.6 + 70.50×0.4 + 2.00 + 1.50 = 79.85
    services.round_update(round=rnd, by=org, written_weight=Decimal("0.60"), college_bonus=Decimal("2.00"),
                          previous_round_bonus=Decimal("1.50"))
    app = advance(apply(education=Education.BACHELOR, previous_round=True), "scored",
                  written=Decimal("80.25"), interview=Decimal("70.50"))
    assert app.bonus == Decimal("3.50")
    assert app.composite_score == Decimal("79.85")
    plain = advance(apply(name="无加分"), "scored", written=Decimal("80.25"), interview=Decimal("70.50"))
    assert plain.bonus == Decimal("0.00") and plain.composite_score == Decimal("76.35")


def test_composite_rounds_half_up_to_two_places():
    # 77.77×0.55 + 66.67×0.45 = 42.7735 + 30.0015 = 72.775 → 72.78
    assert policies.composite_score(written=Decimal("77.77"), interview=Decimal("66.67"),
                                    weight=Decimal("0.55"), bonus=Decimal("0")) == Decimal("72.78")


@pytest.mark.parametrize("bad,message", [("100.01", "0至100"), ("-1", "0至100"), ("80.123", "两位小数"),
                                         ("八十", "不是数字"), ("", "请填写")])
def test_scores_outside_0_100_or_with_three_decimals_refused(apply, advance, party, bad, message):
    app = advance(apply(), "reviewed")
    with pytest.raises(ValidationError) as exc:
        services.application_score(application=app, by=party, written=bad, interview="80")
    assert message in exc.value.message_dict["written"][0]


def test_scores_at_the_edges_are_accepted(apply, advance):
    app = advance(apply(), "scored", written=Decimal("0"), interview=Decimal("100.00"))
    assert app.composite_score == Decimal("50.00")


def test_ties_broken_by_preference(apply, advance, world):
    # equal composite → 大专以上 first, then previous-round; equal on all → shared rank
    plain = advance(apply(name="甲", education=Education.HIGH_SCHOOL), "scored")
    previous = advance(apply(name="乙", education=Education.HIGH_SCHOOL, previous_round=True), "scored")
    college = advance(apply(name="丙", education=Education.COLLEGE), "scored")
    twin = advance(apply(name="丁", education=Education.HIGH_SCHOOL), "scored")
    top = advance(apply(name="戊", education=Education.BELOW_HIGH_SCHOOL), "scored", written=Decimal("90"))
    ranks = dict(Application.objects.values_list("name", "rank"))
    assert ranks == {"戊": 1, "丙": 2, "乙": 3, "甲": 4, "丁": 4}
    assert {plain.pk, previous.pk, college.pk, twin.pk, top.pk}


def test_rank_is_per_village(apply, advance, world):
    # each village has its own first place
    advance(apply(name="二村高", village=world.village2), "scored", written=Decimal("90"))
    advance(apply(name="二村低", village=world.village2), "scored", written=Decimal("60"))
    advance(apply(name="一村唯一", village=world.village), "scored", written=Decimal("50"))
    ranks = dict(Application.objects.values_list("name", "rank"))
    assert ranks == {"二村高": 1, "二村低": 2, "一村唯一": 1}


def test_rejected_at_co_review_leaves_the_ranking(apply, advance, org, world):
    first = advance(apply(name="第一", village=world.village2), "scored", written=Decimal("90"))
    second = advance(apply(name="第二", village=world.village2), "scored", written=Decimal("70"))
    services.application_co_review(application=first, by=org, passed=False, comment="公安：有违法记录")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.rank is None and first.status == Application.Status.REJECTED
    assert "有关部门协审未通过" in first.rejection_reason
    assert second.rank == 1


# -- R-11 steps --------------------------------------------------------------------------------

def test_steps_cannot_be_skipped(apply, advance, party, org):
    # score before the preliminary review, decide before co-review
    app = apply()
    with pytest.raises(Conflict) as exc:
        services.application_score(application=app, by=party, written="80", interview="80")
    assert "下一步应为：乡（镇）党委初审" in exc.value.message
    app = advance(app, "scored")
    with pytest.raises(Conflict):
        services.application_decide(application=app, by=org, appointed=True, decided_on=today(),
                                    document_no="清委〔2026〕1号")
    assert Cadre.objects.filter(id_number=app.id_number).count() == 0


def test_steps_cannot_be_repeated(apply, advance, party, org):
    #
    app = advance(apply(), "reviewed")
    with pytest.raises(Conflict):
        services.application_review(application=app, by=party, passed=True)
    app = advance(app, "appointed")
    with pytest.raises(Conflict) as exc:
        services.application_decide(application=app, by=org, appointed=True, decided_on=today(),
                                    document_no="清委〔2026〕1号")
    assert "已办结" in exc.value.message
    assert Cadre.objects.filter(id_number=app.id_number).count() == 1


def test_every_step_records_who_and_when(apply, advance, party, org):
    # who and when, on the row and in the history
    app = advance(apply(by=party), "appointed")
    assert app.submitted_by == party and app.reviewed_by == party and app.scored_by == party
    assert app.co_reviewed_by == org and app.decided_by == org
    assert all([app.submitted_at, app.reviewed_at, app.scored_at, app.co_reviewed_at, app.decided_at])
    users = {h.history_user for h in app.history.all()}
    assert users == {party, org}
    assert app.history.count() == 5


def test_appointment_creates_the_active_cadre_and_closes_the_vacancy(apply, advance, org, world):
    # R-11 + R-01: the county decision creates the cadre in the village
    assert world.village2 in vacancy_list(user=org)
    app = advance(apply(name="新干部", education=Education.COLLEGE), "appointed",
                  decided_on=today() - dt.timedelta(days=1))
    cadre = app.cadre
    assert cadre.status == Cadre.Status.ACTIVE and cadre.village == world.village2
    assert cadre.name == "新干部" and cadre.appointed_on == today() - dt.timedelta(days=1)
    assert cadre.id_number == app.id_number and cadre.education == Education.COLLEGE
    assert app.document_no == "清委人才〔2026〕1号"
    assert world.village2 not in vacancy_list(user=org)


def test_appointment_to_a_full_village_is_a_conflict(apply, advance, org, world):
    # village 1 already has its one cadre
    app = advance(apply(village=world.village), "co_reviewed")
    with pytest.raises(Conflict) as exc:
        services.application_decide(application=app, by=org, appointed=True, decided_on=today(),
                                    document_no="清委〔2026〕2号")
    assert "名额（1名）已满" in exc.value.message and "张三" in exc.value.message
    app.refresh_from_db()
    assert app.status == Application.Status.CO_REVIEWED


def test_not_appointed_creates_no_cadre(apply, advance, org):
    app = advance(apply(), "co_reviewed")
    app = services.application_decide(application=app, by=org, appointed=False, decided_on=today(),
                                      document_no="清委〔2026〕3号")
    assert app.status == Application.Status.NOT_APPOINTED and app.cadre is None


def test_decision_needs_a_document_number(apply, advance, org):
    app = advance(apply(), "co_reviewed")
    with pytest.raises(ValidationError) as exc:
        services.application_decide(application=app, by=org, appointed=True, decided_on=today(), document_no=" ")
    assert "文号" in exc.value.message_dict["document_no"][0]


def test_township_is_notified_of_a_new_application(apply, party, world):
    from core.models import Notification

    app = apply(name="通知我")
    note = Notification.objects.get(user=party, key=f"selection-review-{app.pk}")
    assert "通知我" in note.title and note.url.endswith(f"/applications/{app.pk}/")
    assert not Notification.objects.filter(user=world.users["township_party_b"]).exists()


def test_application_date_within_the_round_and_not_in_the_future(apply, rnd):
    with pytest.raises(ValidationError) as exc:
        apply(applied_on=today() + dt.timedelta(days=1))
    assert "不能晚于今天" in exc.value.message_dict["applied_on"][0]
    with pytest.raises(ValidationError) as exc:
        apply(applied_on=rnd.announced_on - dt.timedelta(days=1))
    assert "报名日期须在公告日期" in exc.value.message_dict["applied_on"][0]


def test_correcting_an_application_before_review(apply, advance, org, world):
    # the same checks run again; after the preliminary review the application is frozen
    app = apply(name="王小五")
    app = services.application_update(application=app, by=org, name="王晓武", id_number=app.id_number)
    assert app.name == "王晓武" and app.history.first().history_user == org
    items = {k: False for k in policies.NEGATIVE_KEYS}
    items["5"] = True
    with pytest.raises(ValidationError) as exc:
        services.application_update(application=app, by=org, negative_list=items)
    assert "第七条第（5）项" in exc.value.message_dict["negative_list"][0]
    app = advance(Application.objects.get(pk=app.pk), "reviewed")
    with pytest.raises(Conflict):
        services.application_update(application=app, by=org, name="再改")


def test_reviewing_an_application_settles_the_township_notice(apply, advance, party):
    # issue 17 #5: the 待初审 notice is read once the township has reviewed
    from core.models import Notification

    app = apply(name="通知我")
    assert Notification.objects.get(user=party, key=f"selection-review-{app.pk}").read_at is None
    advance(app, "reviewed")
    assert Notification.objects.get(user=party, key=f"selection-review-{app.pk}").read_at is not None
