from django.urls import path

from attendance import views
from attendance.views import calendar_month, day, deputies, rota, trips

app_name = "attendance"

urlpatterns = [
    path("", views.attendance_home, name="index"),
    path("leave/", views.leave_index, name="leave_list"),
    path("leave/new/", views.leave_create, name="leave_create"),
    path("leave/days/", views.leave_days_preview, name="leave_days"),
    path("leave/bulk/", views.leave_bulk_decide, name="leave_bulk"),
    path("leave/register/", views.leave_register, name="leave_register"),
    path("leave/<int:pk>/", views.leave_detail, name="leave_detail"),
    path("leave/<int:pk>/approve/", views.leave_approve, name="leave_approve"),
    path("leave/<int:pk>/reject/", views.leave_reject, name="leave_reject"),
    path("leave/<int:pk>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("leave/<int:pk>/return/", views.leave_return, name="leave_return"),
    path("leave/<int:pk>/return/confirm/", views.leave_return_confirm, name="leave_return_confirm"),
    path("leave/<int:pk>/excuse/", views.leave_excuse, name="leave_excuse"),
    path("leave/<int:pk>/pdf/", views.leave_pdf, name="leave_pdf"),
    path("trips/", trips.trip_index, name="trip_list"),
    path("trips/new/", trips.trip_create, name="trip_create"),
    path("trips/<int:pk>/", trips.trip_detail, name="trip_detail"),
    path("trips/<int:pk>/return/", trips.trip_return, name="trip_return"),
    path("trips/<int:pk>/return/confirm/", trips.trip_return_confirm, name="trip_return_confirm"),
    path("trips/<int:pk>/cancel/", trips.trip_cancel, name="trip_cancel"),
    path("grid/", views.attendance_grid, name="grid"),
    path("grid/mark/", views.attendance_mark, name="mark"),
    path("day/", day.attendance_day, name="day"),
    path("absences/", views.absence_index, name="absences"),
    path("absences/check/", views.run_threshold_check, name="run_check"),
    path("absences/<int:pk>/", views.absence_edit, name="absence_edit"),
    path("incapacity/", views.incapacity_index, name="incapacity_list"),
    path("incapacity/new/", views.incapacity_edit, name="incapacity_create"),
    path("incapacity/<int:pk>/", views.incapacity_edit, name="incapacity_edit"),
    path("calendar/", views.calendar_index, name="calendar"),
    path("leave-calendar/", calendar_month.leave_calendar, name="leave_calendar"),
    path("settings/", views.settings_edit, name="settings"),
    path("deputies/", deputies.deputy_index, name="deputies"),
    path("deputies/<int:pk>/cancel/", deputies.deputy_cancel, name="deputy_cancel"),
    # R-28 duty rota
    path("rota/", rota.rota_index, name="rota"),
    path("rota/schedules/", rota.duty_schedule_index, name="duty_schedules"),
    path("rota/misses/", rota.duty_miss_index, name="duty_misses"),
    path("rota/misses/<int:pk>/undo/", rota.duty_miss_undo, name="duty_miss_undo"),
    path("rota/<int:village_id>/day/<str:day>/", rota.rota_day, name="rota_day"),
    path("rota/<int:village_id>/<str:month>/", rota.rota_village, name="rota_village"),
]
