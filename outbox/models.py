from django.db import models


class UnsentTask(models.Model):
    """A Celery task the broker did not take when it was sent (Redis down or unreachable). It waits
    here and is sent again once the broker answers (outbox.services.send_unsent_tasks); the row is
    deleted when the broker has it. Tasks are idempotent, so one sent twice does no harm."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    options = models.JSONField(default=dict)  # routing only (queue, priority): delays have passed anyway
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
