"""SQLite has no median: register one on each connection, as Django registers its own functions."""

import statistics

from django.db.backends.signals import connection_created
from django.dispatch import receiver


class _Median:
    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


@receiver(connection_created)
def add_median(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("BAIJIA_MEDIAN", 1, _Median)
