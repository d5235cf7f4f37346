# One image for the web app, the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY processes processes
COPY handlers handlers
COPY casework casework
COPY db db
COPY jobs jobs
COPY webapp webapp
COPY bpmn bpmn
RUN pip install . && useradd --system --home /app hatecases && chown -R hatecases /app
USER hatecases
EXPOSE 8000
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "webapp:create_app()"]
