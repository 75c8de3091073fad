"""R-41 at every edge: who is paid for a month, and R-40 amounts (policy changes, bonuses)."""

import datetime as dt
from decimal import Decimal

import pytest

from cadres import services as cadre_services
from cadres.models import DisqualifyCategory
from payroll import services
from payroll.models import PayLine
from tests.factories import CadreFactory


def paid_names(run):
    return set(PayLine.objects.filter(run=run).values_list("cadre__name", flat=True))


@pytest.mark.django_db
def test_appointed_on_last_day_of_month_is_paid_for_that_month(world, build):
    # appointed in M → paid for M, even on M's last day
    CadreFactory(village=world.village2, name="月末聘", appointed_on=dt.date(2025, 3, 31))
    CadreFactory(village=world.village2, name="下月聘", appointed_on=dt.date(2025, 4, 1))
    assert "月末聘" not in paid_names(build("2025-02"))
    march = paid_names(build("2025-03"))
    assert "月末聘" in march and "下月聘" not in march
    assert {"月末聘", "下月聘"} <= paid_names(build("2025-04"))


@pytest.mark.django_db
@pytest.mark.parametrize("day", [1, 31])
def test_disqualified_on_first_or_last_day_is_paid_that_month_and_not_after(world, build, day):
    # R-41 / R-31 / 第十四条: 从取消之日下月起停发 — paid for the month of d, nothing from the next
    cadre_services.cadre_disqualify(cadre=world.cadre, date=dt.date(2025, 3, day),
                                    category=DisqualifyCategory.ABSENCE, reason="旷工", by=None)
    assert "张三" in paid_names(build("2025-02"))
    assert "张三" in paid_names(build("2025-03"))
    assert "张三" not in paid_names(build("2025-04"))
    assert "李四" in paid_names(build("2025-04"))


@pytest.mark.django_db
def test_resigned_is_paid_for_the_month_of_resignation_only(world, build):
    # resignation stops stipends the same way
    cadre_services.cadre_resign(cadre=world.cadre, date=dt.date(2025, 3, 15), reason="外出务工", by=None)
    assert "张三" in paid_names(build("2025-03"))
    assert "张三" not in paid_names(build("2025-04"))


@pytest.mark.django_db
def test_serving_village_cadre_is_never_paid(world, build):
    # R-05 / 第十三条（不含在职村干部）
    CadreFactory(village=world.village2, name="在职村干", is_serving_village_cadre=True)
    assert "在职村干" not in paid_names(build("2025-03"))
    assert paid_names(build("2025-03")) == {"张三", "李四"}


@pytest.mark.django_db
def test_other_county_cadres_are_not_in_the_run(world, build):
    from tests.factories import TownshipFactory, VillageFactory

    other_village = VillageFactory(township=TownshipFactory(county=world.users["stranger"].role_assignments.first().county))
    CadreFactory(village=other_village, name="外县人")
    assert "外县人" not in paid_names(build("2025-03"))


@pytest.mark.django_db
def test_amounts_follow_the_policy_and_its_funding_sources(world, build):
    # 县级补助 1000 (县人才工作经费), 乡镇补助 1000 (乡镇财政), 其它保障 150 + 10 (村财)
    run = build("2025-03")
    line = PayLine.objects.get(run=run, cadre=world.cadre)
    assert (line.county_subsidy, line.township_subsidy, line.performance_bonus, line.pension_subsidy,
            line.accident_insurance) == (Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00"), Decimal("150.00"),
                                         Decimal("10.00"))
    assert line.total == Decimal("2160.00")
    assert (line.county_fund, line.township_fund, line.village_fund) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("160.00"))
    assert run.total == Decimal("4320.00") and run.lines_count == 2
    assert run.village_fund_total == Decimal("320.00")


@pytest.mark.django_db
def test_policy_change_in_the_middle_of_the_year(world, build, policy):
    # effective-dated; a policy valid from the 15th already applies to that whole month
    services.pay_policy_create(county=world.county, valid_from=dt.date(2025, 7, 15), by=None,
                               pension_subsidy=Decimal("180.00"), accident_insurance=Decimal("10.00"))
    june = PayLine.objects.get(run=build("2025-06"), cadre=world.cadre)
    july = PayLine.objects.get(run=build("2025-07"), cadre=world.cadre)
    assert june.pension_subsidy == Decimal("150.00") and june.total == Decimal("2160.00")
    assert july.pension_subsidy == Decimal("180.00") and july.total == Decimal("2190.00")


@pytest.mark.django_db
def test_policy_can_move_a_component_to_another_funding_source(world, build, policy):
    # the funding source of each component is part of the county's policy
    services.pay_policy_create(county=world.county, valid_from=dt.date(2025, 1, 1), by=None,
                               pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"),
                               pension_subsidy_source="township")
    line = PayLine.objects.get(run=build("2025-03"), cadre=world.cadre)
    assert (line.township_fund, line.village_fund) == (Decimal("1150.00"), Decimal("10.00"))


@pytest.mark.django_db
def test_performance_bonus_is_paid_in_its_month_from_village_funds(world, build):
    # 业绩考核奖 per cadre and month, from 村财
    services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="500", by=world.users["township_party"])
    run = build("2025-03")
    line = PayLine.objects.get(run=run, cadre=world.cadre)
    assert line.performance_bonus == Decimal("500.00")
    assert line.total == Decimal("2660.00") and line.village_fund == Decimal("660.00")
    assert PayLine.objects.get(run=run, cadre=world.other_cadre).performance_bonus == Decimal("0.00")
    assert PayLine.objects.get(run=build("2025-04"), cadre=world.cadre).performance_bonus == Decimal("0.00")


@pytest.mark.django_db
def test_no_policy_for_the_month_is_a_field_error(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.pay_run_build(county=world.county, month="2025-03", by=None)
    assert "报酬标准" in exc.value.message_dict["month"][0]


@pytest.mark.django_db
def test_bonus_for_a_cadre_not_paid_that_month_is_refused(world, policy):
    from django.core.exceptions import ValidationError

    cadre_services.cadre_resign(cadre=world.cadre, date=dt.date(2025, 3, 15), reason="外出务工", by=None)
    with pytest.raises(ValidationError) as exc:
        services.bonus_set(cadre=world.cadre, month=dt.date(2025, 4, 1), amount="300", by=None)
    assert "不发放报酬" in exc.value.message_dict["cadre"][0]
