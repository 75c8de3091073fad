from django.urls import path
from django.views.generic import RedirectView

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="supervision:dashboard", permanent=False)),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("talks/", views.talk_index, name="talk_list"),
    path("talks/new/", views.talk_create, name="talk_create"),
    path("talks/due/", views.talk_due, name="talk_due"),
    path("talks/<int:pk>/", views.talk_detail, name="talk_detail"),
    path("talks/<int:pk>/edit/", views.talk_edit, name="talk_edit"),
    path("attachments/", views.attachment_index, name="attachment_list"),
    path("attachments/new/", views.attachment_create, name="attachment_create"),
    path("attachments/shortfall/", views.attachment_shortfall, name="attachment_shortfall"),
    path("attachments/<int:pk>/", views.attachment_detail, name="attachment_detail"),
    path("attachments/<int:pk>/edit/", views.attachment_edit, name="attachment_edit"),
    path("assessments/", views.assessment_index, name="assessment_list"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("commitments/", views.commitment_index, name="commitment_list"),
    path("commitments/new/", views.commitment_edit, name="commitment_create"),
    path("commitments/<int:pk>/", views.commitment_edit, name="commitment_edit"),
    path("commitments/<int:pk>/record/", views.commitment_detail, name="commitment_detail"),
    path("pairing/", views.pairing_index, name="pairing_list"),
    path("pairing/<int:cadre_pk>/", views.pairing_edit, name="pairing_edit"),
    path("groups/", views.group_index, name="group_list"),
    path("groups/new/", views.group_edit, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("training/", views.training_index, name="training_list"),
    path("training/new/", views.training_create, name="training_create"),
    path("training/<int:pk>/", views.training_detail, name="training_detail"),
    path("cases/", views.case_index, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("notices/", views.notice_index, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("unpaid/", views.unpaid, name="unpaid"),
    path("ledger/", views.ledger, name="ledger"),
    path("cadres/<int:pk>/", views.cadre_file, name="cadre_file"),
    path("cadres/<int:pk>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("settings/", views.settings_edit, name="settings"),
]
