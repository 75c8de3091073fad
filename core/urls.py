from django.contrib.auth import views as auth_views
from django.urls import path

from core import saved_filters, views
from core.signin import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("health/", views.health, name="health"),
    path("account/sessions/", views.my_sessions, name="my_sessions"),
    path("audit/", views.audit_log, name="audit_log"),
    path("lists/columns/", views.list_columns, name="list_columns"),
    path("lists/filters/", saved_filters.saved_filter_create, name="saved_filter_create"),
    path("lists/filters/<int:pk>/delete/", saved_filters.saved_filter_remove, name="saved_filter_delete"),
]

from core import views_attachments, views_choices, views_exports, views_jobs, views_messages, views_org  # noqa: E402

urlpatterns += [
    path("lists/choices/<str:kind>/", views_choices.list_choices, name="list_choices"),
    path("org/", views_org.org_tree, name="org_tree"),
    path("org/villages/<int:pk>/quota/", views_org.village_quota, name="village_quota"),
    path("org/accounts/", views_org.accounts, name="accounts"),
    path("org/accounts/import/", views_org.account_import, name="account_import"),
    path("org/accounts/import/template.xlsx", views_org.account_import_template, name="account_import_template"),
    path("org/accounts/new/", views_org.account_create, name="account_create"),
    path("org/accounts/<int:pk>/", views_org.account_detail, name="account"),
    path("org/accounts/<int:pk>/password/", views_org.account_password, name="account_password"),
    path("org/accounts/<int:pk>/unlock/", views_org.account_unlock, name="account_unlock"),
    path("org/accounts/<int:pk>/active/", views_org.account_active, name="account_active"),
    path("org/accounts/<int:pk>/roles/", views_org.account_role, name="account_role"),
    path("org/roles/<int:pk>/revoke/", views_org.role_revoke, name="role_revoke"),
    path("org/schedules/", views_jobs.schedules, name="schedules"),
    path("exports/", views_exports.export_list, name="export_list"),
    path("exports/<int:pk>/", views_exports.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", views_exports.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
    # issue 14 item 2: attachments of the apps' records (served only here, scoped; never from MEDIA_URL)
    path("files/<str:label>/<int:object_id>/new/", views_attachments.attachment_add, name="attachment_add"),
    path("files/<int:pk>/", views_attachments.attachment_file, name="attachment_file"),
    path("files/<int:pk>/replace/", views_attachments.attachment_replace, name="attachment_replace"),
    path("files/<int:pk>/withdraw/", views_attachments.attachment_withdraw, name="attachment_withdraw"),
    path("account/messages/", views_messages.my_messages, name="my_messages"),
    path("org/robots/", views_messages.webhooks, name="webhooks"),
    path("org/robots/county/<int:pk>/", views_messages.webhook_county, name="webhook_county"),
    path("org/robots/township/<int:pk>/", views_messages.webhook_township, name="webhook_township"),
]
