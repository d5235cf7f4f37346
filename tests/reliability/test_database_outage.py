"""PostgreSQL connections dropped while requests run: each request that loses its connection gets
a clear 503 (never a 500), the rest succeed, and the app recovers without a restart. Prints the
counts."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.databases import POSTGRES_ADMIN_URL
from webapp import create_app
from webapp.outages import MESSAGE

pytestmark = pytest.mark.scaled
REQUESTS = 300
REPORT = {"description": "Racist graffiti on the garage door", "location": "4 Elm Road", "strands": ["race"]}


def test_dropped_connections_give_503_and_the_app_recovers(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("drops PostgreSQL connections: run with --postgres")
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "t", "TIMERS": "off"})
    client = app.test_client()
    token = client.post("/api/token", json={"username": "officer", "password": "demo"}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = db_url.rsplit("/", 1)[1]
    stop, kills = threading.Event(), Counter()

    def drop_connections() -> None:
        with admin.connect() as connection:
            while not stop.is_set():
                killed = connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).scalar_one()
                kills["connections"] += killed
                time.sleep(0.03)

    killer = threading.Thread(target=drop_connections)
    outcomes: Counter[int] = Counter()
    reports: Counter[int] = Counter()  # the same, for the reports sent
    messages: set[str] = set()
    killer.start()
    try:
        for i in range(REQUESTS):
            if i % 2:
                response = client.post("/api/reports", json=REPORT)
            else:
                response = client.get("/api/tasks", headers=headers)
            outcomes[response.status_code] += 1
            reports[response.status_code] += i % 2
            if response.status_code == 503:
                messages.add(response.json["message"])
    finally:
        stop.set()
        killer.join()
    after = Counter(client.get("/api/tasks", headers=headers).status_code for _ in range(20))
    after += Counter(client.post("/api/reports", json=REPORT).status_code for _ in range(20))
    with app.extensions["database"].engine.connect() as connection:
        cases = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
    app.extensions["database"].dispose()
    admin.dispose()
    print(
        f"\ndatabase outage: {REQUESTS} requests while {kills['connections']} connections were dropped -> "
        f"{dict(sorted(outcomes.items()))}; afterwards {dict(sorted(after.items()))}; {cases} cases stored "
        f"for {reports[201] + 20} reports accepted and {reports[503]} cut off"
    )
    assert 500 not in outcomes, outcomes
    assert outcomes[503] > 0 and kills["connections"] > 0  # the outage was real and was seen
    assert outcomes[200] + outcomes[201] > 0  # and requests between the drops still succeeded
    assert messages == {MESSAGE}
    assert after == Counter({200: 20, 201: 20})  # recovered, no restart
    # Every accepted report is kept; a report cut off by the drop is either kept whole or not at
    # all (a commit can succeed just before the connection goes, and the answer is then lost).
    assert reports[201] + 20 <= cases <= reports[201] + reports[503] + 20
