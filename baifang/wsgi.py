"""WSGI entry point (gunicorn baifang.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
application = get_wsgi_application()
