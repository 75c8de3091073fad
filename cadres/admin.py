from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cadres.models import Cadre, DisciplineCase

admin.site.register(Cadre, SimpleHistoryAdmin)
admin.site.register(DisciplineCase, SimpleHistoryAdmin)
