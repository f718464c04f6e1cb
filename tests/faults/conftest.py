"""Fault tests: Redis stopped under a running site, a worker killed mid-run, PostgreSQL restarted.
Each starts private services (tests/faults/services.py) and stops them; the shared ones are untouched."""

import shutil

import pytest

from tests.conftest import require
from tests.faults.services import PrivateRedis


@pytest.fixture
def private_redis():
    require(bool(shutil.which("redis-server")), "redis-server is missing: install the Debian package 'redis-server'")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    # The outbox skips the broker for a few seconds after a failure, in this process: each test starts fresh.
    from outbox.celery import _Breaker

    _Breaker.open_until = 0.0
    yield
    _Breaker.open_until = 0.0
