FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --system --home /app claimtrack
# LightGBM (the stance classifier) needs the OpenMP runtime, which the slim image lacks.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
COPY requirements.lock .
RUN pip install -r requirements.lock
COPY . .
# Static files are collected at build time; any SECRET_KEY will do for that step.
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input && mkdir -p /app/var/media && chown -R claimtrack /app/var
USER claimtrack
EXPOSE 8000
CMD ["gunicorn", "claimtrack.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
