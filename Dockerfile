# Production image: gunicorn serving the portal; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=abe.settings.production STATIC_ROOT=/app/staticfiles
WORKDIR /app
# gettext compiles the translation catalogues (locale/*/LC_MESSAGES/django.po) at build time.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
RUN pip install --no-cache-dir -e . \
 && SECRET_KEY=build-only-collectstatic-not-a-secret-key-000 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && python manage.py compilemessages --ignore=.venv -v0 \
 && useradd --system --uid 1000 abe && chown -R abe /app
USER abe

EXPOSE 8000
CMD ["gunicorn", "abe.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
