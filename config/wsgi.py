import os

from django.core.wsgi import get_wsgi_application

from config.gc_tuning import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()
settle()  # the loaded application out of the collector's way (config/gc_tuning.py)
