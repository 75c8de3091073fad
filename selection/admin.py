from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from selection.models import Application, Round

admin.site.register(Round, SimpleHistoryAdmin)
admin.site.register(Application, SimpleHistoryAdmin)
