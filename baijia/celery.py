from celery import Celery

from baijia import use_default_settings

use_default_settings()

app = Celery("baijia")
# All Celery options live in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
