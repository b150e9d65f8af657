import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.production")
application = get_asgi_application()

from abe.db import process_role_set  # noqa: E402  (after setup: settings are loaded)

process_role_set("web")  # statement_timeout for request connections
