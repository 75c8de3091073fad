"""Demo data for leave and attendance (runs inside ``manage.py seed_demo``; idempotent)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from attendance import services
from attendance.models import ApproverDeputy, AttendanceDay, LeaveRequest, OfficialTrip
from attendance.services import deputies as deputy_services
from attendance.services._base import approvers
from cadres.models import Cadre
from core import calendar
from core.attachments import attachment_add, attachments_of
from core.demo import DemoContext, demo_step
from core.roles import Role
from core.selectors import users_with_role


def _workdays_before(today, n, county_id):
    days = calendar.working_days(today - dt.timedelta(days=n * 2 + 20), today - dt.timedelta(days=1),
                                 county=county_id)
    return days[-n:]


def _workdays_after(today, n, county_id):
    return calendar.working_days(today + dt.timedelta(days=1), today + dt.timedelta(days=n * 2 + 20),
                                 county=county_id)[:n]


@demo_step(order=30)
def leave_and_attendance(ctx: DemoContext) -> None:
    county_id = ctx.county.pk
    today = ctx.today
    cadres = list(Cadre.objects.filter(village__township__county=ctx.county, status=Cadre.Status.ACTIVE,
                                       user__isnull=False).select_related("village__township", "user")
                  .order_by("village__code")[:12])
    if len(cadres) < 8:
        return

    def approver(leave):
        return approvers(leave).first()  # the escalated tier when the approver is missing

    def secretary(cadre):
        return users_with_role(Role.VILLAGE_SECRETARY, village=cadre.village).first()

    if not LeaveRequest.objects.filter(cadre__village__township__county=ctx.county).exists():
        ahead = _workdays_after(today, 6, county_id)
        back = _workdays_before(today, 15, county_id)
        c = cadres
        # pending, 1 day: the village secretary approves
        services.leave_submit(cadre=c[0], by=c[0].user, start_date=ahead[1], end_date=ahead[1],
                              reason="家中老人住院，需陪护一天")
        # pending, 2.5 days: the township liaison approves
        services.leave_submit(cadre=c[1], by=c[1].user, start_date=ahead[2], start_half="pm", end_date=ahead[4],
                              reason="参加县农业农村局电商培训（自费）")
        # pending half day, received by WeChat and recorded by the secretary
        services.leave_submit(cadre=c[2], by=secretary(c[2]), start_date=ahead[0], end_date=ahead[0],
                              end_half="am", reason="孩子学校家长会", channel="wechat",
                              channel_note="本人在外办事，微信向书记请假")
        # approved and returned (last month's leave, on record)
        lv = services.leave_submit(cadre=c[3], by=c[3].user, start_date=back[0], end_date=back[2],
                                   reason="回老家办理宅基地手续")
        services.leave_approve(leave=lv, by=approver(lv), comment="同意，注意安全，按时销假")
        services.leave_return(leave=lv, by=approver(lv), returned_on=back[3])  # the approving side records it
        # approved, ended three working days ago, not returned: overdue
        lv = services.leave_submit(cadre=c[4], by=c[4].user, start_date=back[9], end_date=back[11],
                                   reason="外出务工亲属婚礼")
        services.leave_approve(leave=lv, by=approver(lv), comment="同意")
        # ... and reported back today by the cadre: waits for the approving side's confirmation
        services.leave_return(leave=lv, by=c[4].user, returned_on=today)
        # approved, on leave today or soon
        lv = services.leave_submit(cadre=c[5], by=c[5].user, start_date=ahead[0], end_date=ahead[0],
                                   reason="到县医院体检")
        services.leave_approve(leave=lv, by=approver(lv), comment="同意")
        # rejected
        lv = services.leave_submit(cadre=c[6], by=c[6].user, start_date=ahead[1], end_date=ahead[3],
                                   reason="个人事务")
        services.leave_reject(leave=lv, by=approver(lv), comment="近期防汛任务重，请改期")
        ctx.say("  请销假演示数据：7 条请假（待审批 3、已批准 2、已销假 1、未批准 1）\n")

    # attendance for the last three weeks in the villages of the first six cadres
    recent = _workdays_before(today + dt.timedelta(days=1), 15, county_id)
    recent = [d for d in recent if d <= today]
    for cadre in cadres[:6]:
        sec = secretary(cadre)
        if sec is None or AttendanceDay.objects.filter(cadre=cadre).exists():
            continue
        services.attendance_mark(cadre=cadre, dates=recent, status="present", by=sec)
        if cadre == cadres[1]:
            services.attendance_mark(cadre=cadre, dates=recent[3:4], status="official", by=sec,
                                     note="县里开会")
    # one cadre absent for 17 working days: the R-25 job opens a case for the township
    absent = cadres[7]
    if not AttendanceDay.objects.filter(cadre=absent).exists():
        days = _workdays_before(today, 17, county_id)
        services.attendance_mark(cadre=absent, dates=days, status="absent", by=secretary(absent),
                                 note="联系不上，未到岗")
    opened = services.check_absence_thresholds(as_of=today)
    services.notify_overdue_returns(as_of=today)
    if opened:
        ctx.say(f"  旷工超过规定天数：新立案 {opened} 件\n")
    _deputy(ctx, cadres)


def _deputy(ctx: DemoContext, cadres) -> None:
    """Issue 12 item 5: the liaison of the second cadre's village is away for training; the village secretary
    decides leave longer than a day in the liaison's place this week."""
    if ApproverDeputy.objects.filter(village__township__county=ctx.county).exists():
        return
    village = cadres[1].village
    liaison = users_with_role(Role.TOWNSHIP_LIAISON, village=village).first()
    sec = users_with_role(Role.VILLAGE_SECRETARY, village=village).first()
    if liaison is None or sec is None:
        return
    deputy_services.deputy_name(principal=liaison, deputy=sec, role=Role.TOWNSHIP_LIAISON, village=village,
                                start_date=ctx.today - dt.timedelta(days=2), end_date=ctx.today + dt.timedelta(days=7),
                                note="参加市委党校乡镇干部培训班", by=liaison)
    ctx.say(f"  审批代理：{village.name}的包村领导外出培训，{sec}代为审批\n")


@demo_step(order=31)
def official_trips(ctx: DemoContext) -> None:
    """R-27: three trips in the demo county — one under way, one closed, one past its end and not back."""
    if OfficialTrip.objects.filter(cadre__village__township__county=ctx.county).exists():
        return
    county_id, today = ctx.county.pk, ctx.today
    busy = LeaveRequest.objects.filter(status__in=["approved", "returned", "pending"]).values("cadre_id")
    cadres = list(Cadre.objects.filter(village__township__county=ctx.county, status=Cadre.Status.ACTIVE,
                                       user__isnull=False).exclude(pk__in=busy)
                  .select_related("village__township", "user").order_by("-village__code", "pk")[:3])
    recorders = [users_with_role(Role.VILLAGE_SECRETARY, village=c.village).first()
                 or users_with_role(Role.TOWNSHIP_PARTY, township=c.village.township).first() for c in cadres]
    if len(cadres) < 3 or None in recorders:
        return
    back = _workdays_before(today, 12, county_id)
    ahead = _workdays_after(today, 3, county_id)
    # under way: county training, recorded by the secretary
    services.trip_record(cadre=cadres[0], by=recorders[0], purpose="参加县委组织部村级后备干部集中轮训",
                         destination="县委党校", start_date=back[-1], end_date=ahead[1])
    # closed: back on time, reported by the cadre and confirmed by the secretary
    trip = services.trip_record(cadre=cadres[1], by=recorders[1], purpose="到县农业农村局报送高标准农田项目材料",
                                destination="县农业农村局", start_date=back[-4], end_date=back[-3])
    services.trip_report_return(trip=trip, by=cadres[1].user, returned_on=back[-2])
    services.trip_confirm_return(trip=trip, by=recorders[1])
    # past its end, not back: the following working days are overstay (逾期不归) until the return is confirmed
    services.trip_record(cadre=cadres[2], by=recorders[2], purpose="赴市里学习乡村旅游经验",
                         destination="市文化和旅游局", start_date=back[4], end_date=back[7])
    services.notify_overdue_trips(as_of=today)
    ctx.say("  因公外出演示数据：3 条（外出中 1、已返岗 1、逾期未返岗 1）\n")


def _form_photo(lines: int) -> bytes:
    """A phone photo of a signed paper form, drawn (small: the demo stays fast and light)."""
    from PIL import Image, ImageDraw  # reason: a slow import (Pillow, weasyprint's), needed only by the demo

    img = Image.new("RGB", (300, 400), (232, 228, 215))
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, 280, 380), fill=(255, 255, 255), outline=(50, 50, 50), width=2)
    for i in range(lines):
        draw.line((35, 60 + i * 30, 265, 60 + i * 30), fill=(110, 110, 110), width=1)
    draw.line((170, 340, 195, 322, 215, 345, 245, 318), fill=(20, 40, 160), width=3)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


@demo_step(order=32)
def leave_attachments(ctx: DemoContext) -> None:
    """Issue 14 item 2: the WeChat leave carries its screenshot's stand-in and the returned leave the photo of
    its signed 请假审批表, attached by the village secretary (once)."""
    leaves = LeaveRequest.objects.filter(cadre__village__township__county=ctx.county).select_related("cadre__village")
    picks = [(leaves.filter(channel=LeaveRequest.Channel.WECHAT).first(), "微信请假截图.jpg", "微信请假记录截图", 6),
             (leaves.filter(status=LeaveRequest.Status.RETURNED).first(), "请假审批表.jpg", "签字的请假审批表", 10)]
    added = 0
    for leave, name, note, lines in picks:
        if leave is None or attachments_of(leave):
            continue
        sec = users_with_role(Role.VILLAGE_SECRETARY, village=leave.cadre.village).first()
        if sec is None:
            continue
        attachment_add(target=leave, upload=SimpleUploadedFile(name, _form_photo(lines)), note=note, by=sec)
        added += 1
    if added:
        ctx.say(f"  请假附件：{added} 个（签字的请假审批表照片等）\n")
