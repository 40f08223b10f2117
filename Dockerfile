FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY cms ./cms
COPY alembic ./alembic
RUN pip install --no-cache-dir .

# The server runs as an unprivileged user; a numeric USER lets Kubernetes' runAsNonRoot
# check it. It owns only the data directory: the code stays read-only to it.
RUN groupadd --system --gid 10001 cms \
    && useradd --system --uid 10001 --gid cms --no-create-home --shell /usr/sbin/nologin cms \
    && mkdir -p /app/data/media \
    && chown -R cms:cms /app/data

# The default SQLite database lives in the volume, so it outlives the container. Created and
# chowned above, before VOLUME, so that a new named volume starts out owned by cms.
ENV CMS_DATABASE_URL=sqlite:////app/data/cms.db \
    CMS_MEDIA_DIR=/app/data/media
VOLUME ["/app/data"]

USER 10001:10001
EXPOSE 8000

# /ready answers 200 only when the database does (urlopen raises on a 503).
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=3)"]

# `cms serve` applies pending migrations before it starts listening. Behind a proxy, set
# FORWARDED_ALLOW_IPS to its address (see README.md, "Deployment").
CMD ["cms", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
