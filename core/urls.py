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

from core import views_choices, views_jobs, views_org  # noqa: E402

urlpatterns += [
    path("lists/choices/<str:kind>/", views_choices.list_choices, name="list_choices"),
    path("org/", views_org.org_tree, name="org_tree"),
    path("org/villages/<int:pk>/quota/", views_org.village_quota, name="village_quota"),
    path("org/accounts/", views_org.accounts, name="accounts"),
    path("org/accounts/new/", views_org.account_create, name="account_create"),
    path("org/accounts/<int:pk>/", views_org.account_detail, name="account"),
    path("org/accounts/<int:pk>/password/", views_org.account_password, name="account_password"),
    path("org/accounts/<int:pk>/unlock/", views_org.account_unlock, name="account_unlock"),
    path("org/accounts/<int:pk>/active/", views_org.account_active, name="account_active"),
    path("org/accounts/<int:pk>/roles/", views_org.account_role, name="account_role"),
    path("org/roles/<int:pk>/revoke/", views_org.role_revoke, name="role_revoke"),
    path("org/schedules/", views_jobs.schedules, name="schedules"),
]
