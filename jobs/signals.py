"""What the job board tells other apps, without knowing them (the cms drops its cached pages)."""

from django.db import transaction
from django.dispatch import Signal

# Postings on the board changed by a bulk update (which sends no post_save): closed at their date,
# filled, closed by the merchant. Sent after commit.
postings_changed = Signal()


def announce_postings_change() -> None:
    transaction.on_commit(lambda: postings_changed.send(sender=None))
