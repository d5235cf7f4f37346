"""docker-compose.yml describes the scaled mode completely. (Docker itself does not run on the
machines this suite runs on, so `docker compose config` is not part of it; this checks the
structure the README promises.)"""

from __future__ import annotations

import yaml

from tests.conftest import ROOT


def test_compose_has_every_service_with_health_checks_and_migrations_first():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://")
    assert services["migrate"]["command"][-1] == "init"
    assert set(compose["volumes"]) == {"pgdata", "redisdata"}


def test_the_image_installs_every_package_the_app_imports():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("processes", "handlers", "casework", "db", "jobs", "webapp", "bpmn"):
        assert f"COPY {package} {package}" in dockerfile


def test_the_image_carries_the_modeller_bundle_built_from_the_lockfile():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "npm ci" in dockerfile and "COPY package.json package-lock.json" in dockerfile
    assert "COPY --from=assets /src/webapp/static/vendor webapp/static/vendor" in dockerfile
