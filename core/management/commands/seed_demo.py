import csv

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core import demo


class Command(BaseCommand):
    help = "Builds the 清流县 demo: 13 townships, 120 villages, a user for every role, ~110 cadres. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-password-change", action="store_true",
                            help="demo users may keep the shared demo password (default: set their own at first sign-in)")

    def handle(self, *args, **options):
        ctx = demo.build_org(self.stdout, force_password_change=not options["no_password_change"])
        demo.build_users(ctx)
        demo.run_steps(ctx)  # the apps' steps: cadres first (they list their logins and count), then the rest
        out = settings.BASE_DIR / "var" / "demo_logins.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["角色", "单位", "用户名", "密码"])
            for row in ctx.logins:
                writer.writerow([*row, demo.DEMO_PASSWORD])
        self.stdout.write(self.style.SUCCESS(_("演示数据已就绪：清流县 13 个乡（镇）、%(v)s 个村（社区）、%(c)s 名后备干部。") % {
            "v": ctx.county.townships.values("villages").count(),
            "c": ctx.counts.get("cadres", 0)}))
        self.stdout.write(_("所有演示账号的初始密码均为：%(p)s") % {"p": demo.DEMO_PASSWORD})
        if ctx.force_password_change:
            self.stdout.write(_("（等保要求：首次登录时须设置自己的新密码。）"))
        shown = {}
        for role, unit, username in ctx.logins:
            shown.setdefault(role, []).append((unit, username))
        for role, rows in shown.items():
            sample = "，".join(f"{u}（{unit}）" for unit, u in rows[:3])
            more = _("……共 %(n)s 个") % {"n": len(rows)} if len(rows) > 3 else ""
            self.stdout.write(f"  {role:<8} {sample}{more}")
        self.stdout.write(_("全部账号清单：%(f)s") % {"f": out})
