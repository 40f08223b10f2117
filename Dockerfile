FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY cms ./cms
COPY alembic ./alembic
RUN pip install --no-cache-dir .

ENV CMS_DATABASE_URL=sqlite:////app/data/cms.db
RUN mkdir -p /app/data
EXPOSE 8000
# `cms serve` applies pending migrations before it starts listening.
CMD ["cms", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
