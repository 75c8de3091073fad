"""One active role assignment per (user, role, unit): first end the duplicates parallel requests made
(the oldest stays), then add the partial unique indexes (issue 16)."""

from django.db import migrations, models
from django.utils import timezone


def end_duplicates(apps, schema_editor):
    RoleAssignment = apps.get_model("core", "RoleAssignment")
    db = schema_editor.connection.alias
    seen = set()
    duplicates = []
    for row in RoleAssignment.objects.using(db).filter(is_active=True).order_by("created_at", "pk").values(
            "pk", "user_id", "role", "county_id", "township_id", "village_id"):
        key = (row["user_id"], row["role"], row["county_id"], row["township_id"], row["village_id"])
        if key in seen:
            duplicates.append(row["pk"])
        else:
            seen.add(key)
    if duplicates:
        RoleAssignment.objects.using(db).filter(pk__in=duplicates).update(is_active=False, ended_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_jobs"),
    ]

    operations = [
        migrations.RunPython(end_duplicates, migrations.RunPython.noop),
        *[
            migrations.AddConstraint(
                model_name="roleassignment",
                constraint=models.UniqueConstraint(
                    condition=models.Q(is_active=True, **{f"{unit}__isnull": False}),
                    fields=("user", "role", unit),
                    name=f"role_assignment_active_once_{unit}",
                ),
            )
            for unit in ("county", "township", "village")
        ],
    ]
