from django.urls import path

from payroll import views

app_name = "payroll"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/build/", views.run_build, name="run_build"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/rebuild/", views.run_rebuild, name="run_rebuild"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
    path("runs/<int:pk>/payments-import/", views.payments_import, name="payments_import"),
    path("runs/<int:pk>/mark-paid/", views.run_mark_paid, name="run_mark_paid"),
    path("lines/<int:pk>/paid/", views.line_paid, name="line_paid"),
    path("lines/<int:pk>/slip/", views.line_slip, name="line_slip"),
    path("runs/<int:pk>/disbursement/", views.run_disbursement, name="run_disbursement"),
    path("payees/", views.payee_list, name="payees"),
    path("payees/<int:cadre_pk>/", views.payee_edit, name="payee_edit"),
    path("insurance/", views.insurance, name="insurance"),
    path("my/", views.my_pay, name="my"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/<int:pk>/", views.policy_detail, name="policy"),
    path("bonuses/", views.bonus_list, name="bonuses"),
    path("bonuses/import/", views.bonus_import, name="bonus_import"),
    path("adjustments/", views.adjustment_list, name="adjustments"),
    path("unpaid/", views.unpaid, name="unpaid"),
]
