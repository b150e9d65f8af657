import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.production")
application = get_wsgi_application()

from abe.db import process_role_set  # noqa: E402  (after setup: settings are loaded)
from abe.startup import web_process_ready  # noqa: E402

process_role_set("web")  # statement_timeout for request connections
web_process_ready()  # URLconf and templates warmed, then the start-up objects frozen out of the cyclic GC
