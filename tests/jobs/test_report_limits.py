"""The scaled mode's report limits live in Redis (a private redis-server), so every web process
counts the same reports: two apps on one Redis, as two gunicorn workers would be."""

from __future__ import annotations

import pytest
import redis as redis_client
from flask import Flask

from casework import settings as config
from tests.jobs.services import PrivateRedis
from webapp import create_app

pytestmark = pytest.mark.scaled
REPORT = {"description": "Abuse shouted at my door again", "location": "1 Elm Road", "strands": ["race"]}


def web_process(pg_url: str, redis_url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": pg_url,
            "SECRET_KEY": "t",
            "REDIS_URL": redis_url,
            "TIMERS": "off",
            "REPORT_LIMIT_PER_ADDRESS": config.REPORT_LIMIT_PER_ADDRESS,  # the real default
        }
    )


def test_the_per_address_limit_is_shared_through_redis(pg_url: str, redis: PrivateRedis) -> None:
    first, second = web_process(pg_url, redis.url), web_process(pg_url, redis.url)
    address = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    try:
        for app in (first, second, first, second, first):  # 5 in 10 minutes, the default
            assert app.test_client().post("/api/reports", json=REPORT, **address).status_code == 201
        refused = second.test_client().post("/api/reports", json=REPORT, **address)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        with redis_client.Redis.from_url(redis.url) as store:
            assert store.keys("*hatecases-reports*"), "the counts are not in Redis"
    finally:
        for app in (first, second):
            app.extensions["database"].dispose()
