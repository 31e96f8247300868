# One production image for the web, worker, pdf and beat services (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DEBUG=False

# WeasyPrint's native libraries; the PDF fonts are bundled with the project's static files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# pyproject.toml lists no package to install, only dependencies: this layer is rebuilt only
# when they change, and the code runs from /app.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .

COPY . .
# The key exists for this one command: settings refuse to load without one when DEBUG is off.
# The user's home holds fontconfig's cache for WeasyPrint.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789 \
        python manage.py collectstatic --noinput \
    && useradd --system --create-home --uid 10001 portail \
    && mkdir -p var/media \
    && chown portail:portail var/media

USER portail
EXPOSE 8000
# Ready when the portal, its database and Redis answer (portail/health.py); no curl needed.
# web's check: worker, pdf and beat have their own or none in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["gunicorn", "portail.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--access-logfile", "-"]
