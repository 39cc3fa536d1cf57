# Production image: gunicorn (web), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/data \
    PRIVATE_MEDIA_ROOT=/data/private \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint's libraries (harfbuzz-subset: font subsetting, 4x faster PDFs) and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .

# Static files are collected at build time; the throwaway keys only let settings load.
RUN DEBUG=false VAR_DIR=/tmp/build \
    SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build

RUN useradd --system --uid 1000 --home /app portail \
    && mkdir -p /data/private \
    && chown -R portail /data
USER portail
VOLUME ["/data"]
EXPOSE 8000

# Worker class, processes (WEB_CONCURRENCY), threads (GUNICORN_THREADS), one shared
# listening socket, log format and access line: gunicorn.conf.py in /app.
CMD ["gunicorn", "mutuelle.wsgi:application", "--bind", "0.0.0.0:8000"]
