from celery import Celery

from baijia import use_default_settings

use_default_settings()

# Every task sends through the outbox when the broker is down (outbox/celery.py).
app = Celery("baijia", task_cls="outbox.celery:OutboxTask")
# All Celery options live in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
