FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext fonts-wqy-microhei \
      libpango-1.0-0 libpangoft2-1.0-0 npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock package.json ./
RUN pip install --no-cache-dir -r requirements.lock && npm install --no-audit --no-fund --loglevel=error
COPY . .
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
      python manage.py compilemessages -v0 --ignore=node_modules \
 && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
      python manage.py collectstatic --noinput -v0
USER nobody
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
