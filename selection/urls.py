from django.urls import path, re_path

from selection import views

app_name = "selection"

urlpatterns = [
    path("", views.round_index, name="rounds"),
    path("new/", views.round_create, name="round_create"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/close/", views.round_close, name="round_close"),
    path("<int:pk>/apply/", views.application_create, name="apply"),
    path("<int:pk>/waivers/new/", views.waiver_create, name="waiver_create"),
    path("<int:pk>/import/applicants/", views.import_applicants, name="import_applicants"),
    path("<int:pk>/import/scores/", views.import_scores, name="import_scores"),
    re_path(r"^(?P<pk>\d+)/template/(?P<kind>applicants|scores)\.xlsx$", views.template_download, name="template"),
    re_path(r"^(?P<pk>\d+)/export/(?P<what>ranking|publicity)\.(?P<fmt>xlsx|pdf)$", views.export, name="export"),
    path("applications/", views.application_index, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/review/", views.application_review, name="review"),
    path("applications/<int:pk>/scores/", views.application_scores, name="scores"),
    path("applications/<int:pk>/co-review/", views.application_co_review, name="co_review"),
    path("applications/<int:pk>/decide/", views.application_decide, name="decide"),
]
