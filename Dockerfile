# syntax=docker/dockerfile:1
# Production image of the PAL Portal: gunicorn serving pal_portal.wsgi, static files by WhiteNoise.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=pal_portal.settings \
    MEDIA_ROOT=/data/media

# WeasyPrint (Pango, HarfBuzz subsetting, a font), python-magic (libmagic) and gettext.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        libmagic1 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 pal \
    && useradd --system --uid 10001 --gid pal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin pal

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The project declares no
# packages of its own (`[tool.setuptools] packages = []`): `pip install .` installs its runtime
# dependencies; the code runs from /app.
COPY pyproject.toml README.md* ./
RUN pip install .

COPY . .

# Static files and translations are built into the image. The settings refuse to load in
# production without these variables, so dummy build-time values are given to this step only;
# they are not kept in the image's environment.
RUN DJANGO_ENV=production \
    SECRET_KEY=build-time-only-dummy-secret-key-never-used-at-run-time-0123456789 \
    DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
    ALLOWED_HOSTS=localhost \
    CELERY_TASK_ALWAYS_EAGER=true \
    sh -c 'python manage.py collectstatic --noinput \
        && if [ -n "$(find . -name "*.po" -print -quit)" ]; then python manage.py compilemessages; fi' \
    && mkdir -p "$MEDIA_ROOT" \
    && chown -R pal:pal /data

USER pal

EXPOSE 8000

CMD ["gunicorn", "pal_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
