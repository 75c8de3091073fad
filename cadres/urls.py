from django.urls import path

from cadres import views

app_name = "cadres"

urlpatterns = [
    path("", views.cadre_index, name="list"),
    path("new/", views.cadre_create, name="create"),
    path("import/", views.cadre_import, name="import"),
    path("import/template.xlsx", views.cadre_import_template, name="import_template"),
    path("vacancies/", views.vacancies, name="vacancies"),
    path("<int:pk>/", views.cadre_detail, name="detail"),
    path("<int:pk>/edit/", views.cadre_edit, name="edit"),
    path("<int:pk>/disqualify/", views.cadre_disqualify, name="disqualify"),
    path("<int:pk>/resign/", views.cadre_resign, name="resign"),
    path("<int:pk>/promote/", views.cadre_promote, name="promote"),
    path("<int:pk>/reinstate/", views.cadre_reinstate, name="reinstate"),
    path("<int:pk>/link-user/", views.cadre_link_user, name="link_user"),
]
