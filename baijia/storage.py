"""The private storage alias, for model fields.

A FileField keeps the storage object it is given when its model loads; a lazy one that looks up
storages["private"] on first use, and again whenever STORAGES changes (tests point it at a temporary
folder), makes the field follow the settings."""

from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class _PrivateStorage(LazyObject):
    def _setup(self):
        from django.core.files.storage import storages

        self._wrapped = storages["private"]


_private_storage = _PrivateStorage()


def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private_storage._wrapped = empty


setting_changed.connect(_forget_private_storage)


def private_storage():
    """Files only permission-checked views serve (certificates, résumés, licences): never under MEDIA_URL."""
    return _private_storage
