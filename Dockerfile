# One image for the web app, the Celery worker and beat (see docker-compose.yml).

# The modeller's JavaScript: npm packages from the lockfile, bundled by esbuild.
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY webapp/assets webapp/assets
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# WeasyPrint (letters as PDFs) needs Pango, HarfBuzz and a font.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY processes processes
COPY handlers handlers
COPY casework casework
COPY db db
COPY jobs jobs
COPY webapp webapp
COPY --from=assets /src/webapp/static/vendor webapp/static/vendor
COPY bpmn bpmn
RUN pip install . && useradd --system --home /app hatecases && chown -R hatecases /app
USER hatecases
EXPOSE 8000
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "webapp:create_app()"]
