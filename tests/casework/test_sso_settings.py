"""Single sign-on settings are checked at start-up, with a message that names the variable; the
group map gives the most powerful role of a person's groups and all their teams."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casework import settings, single_sign_on
from casework.settings import ConfigError

MAP = {"Officers": {"role": "officer", "teams": ["community-safety"]}}


def config(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "TIMERS": "off",
        "REPORT_LIMIT_PER_ADDRESS": "5 per minute",
        "REPORT_LIMIT_OVERALL": "5 per minute",
        "OIDC_ISSUER": "https://login.example.org/tenant/v2.0",
        "OIDC_CLIENT_ID": "app",
        "OIDC_CLIENT_SECRET": "secret",
        "OIDC_GROUP_MAP": MAP,
    }
    return {**base, **overrides}


def test_a_complete_configuration_and_none_at_all_are_accepted() -> None:
    settings.check_consistency(config())
    settings.check_consistency(
        config(OIDC_ISSUER="", OIDC_CLIENT_ID="", OIDC_CLIENT_SECRET="", OIDC_GROUP_MAP={})
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"OIDC_CLIENT_SECRET": ""},
            "Single sign-on needs OIDC_CLIENT_SECRET as well as OIDC_ISSUER, OIDC_CLIENT_ID",
        ),
        ({"OIDC_ISSUER": ""}, "needs OIDC_ISSUER as well as"),
        ({"OIDC_ISSUER": "http://login.example.org"}, "OIDC_ISSUER must be an https:// address"),
        ({"OIDC_GROUP_MAP": {}}, "Single sign-on needs OIDC_GROUP_MAP"),
        ({"OIDC_GROUP_MAP": {"Officers": {"role": "boss"}}}, "group 'Officers' needs a role, one of intake"),
        ({"OIDC_GROUP_MAP": {"Officers": {"role": "officer", "teams": "x"}}}, "must be a list of team names"),
    ],
)
def test_a_wrong_configuration_stops_start_up_naming_the_setting(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings.check_consistency(config(**overrides))


def test_the_group_map_is_read_from_json_or_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OIDC_GROUP_MAP", json.dumps(MAP))
    assert settings.from_environment()["OIDC_GROUP_MAP"] == MAP
    monkeypatch.setenv("OIDC_GROUP_MAP", "{not json")
    with pytest.raises(ConfigError, match="OIDC_GROUP_MAP must be JSON"):
        settings.from_environment()
    monkeypatch.setenv("OIDC_GROUP_MAP_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(ConfigError, match="OIDC_GROUP_MAP_FILE cannot be read"):
        settings.from_environment()
    (tmp_path / "map.json").write_text('["a list"]')
    monkeypatch.setenv("OIDC_GROUP_MAP_FILE", str(tmp_path / "map.json"))
    with pytest.raises(ConfigError, match="OIDC_GROUP_MAP_FILE must be a JSON object"):
        settings.from_environment()


def test_several_groups_give_the_most_powerful_role_and_every_team() -> None:
    group_map = {
        **MAP,
        "Leads": {"role": "supervisor", "teams": ["supervisors"]},
        "Intake": {"role": "intake"},
    }
    access = single_sign_on.access_for(["Intake", "Leads", "Officers", "Unknown"], group_map)
    assert access == single_sign_on.Access("supervisor", ("community-safety", "supervisors"))
    assert single_sign_on.access_for(["Unknown"], group_map) is None
    assert single_sign_on.access_for(None, group_map) is None
    assert single_sign_on.access_for("Officers", group_map) == single_sign_on.Access(
        "officer", ("community-safety",)
    )
