"""config/parameters.py and config/kept.py: ssm: locations, and the last good copy of the parameters."""
import json
import stat

import pytest

from awscli_cwlogs.config.documents import Document
from awscli_cwlogs.config.kept import KeptConfig
from awscli_cwlogs.config.origin import ConfigOrigin, Fetched
from awscli_cwlogs.config.parameters import is_ssm, parameter_name


@pytest.mark.parametrize("location, folder, expected", [
    ("ssm:/cwlogs-agent/web/main", False, "/cwlogs-agent/web/main"),
    ("ssm:/cwlogs-agent/common", True, "/cwlogs-agent/common/"),
    ("ssm:/cwlogs-agent/common/", True, "/cwlogs-agent/common/"),
])
def test_a_location_names_a_parameter_or_a_path(location, folder, expected):
    assert is_ssm(location) and parameter_name(location, "--x", folder) == expected


@pytest.mark.parametrize("location, folder, reason", [
    ("ssm:cwlogs/main", False, "give a parameter name after ssm:"),
    ("ssm:", False, "give a parameter name after ssm:"),
    ("ssm:/cwlogs/", False, "one parameter, not a path; a configuration split over the parameters"),
    ("ssm:/awslogs/main", False, "names starting with /aws or /ssm are reserved"),
    ("ssm:/SSM-agent/", True, "names starting with /aws or /ssm are reserved"),
    ("ssm:/a b", False, "a parameter name has no spaces"),
])
def test_a_bad_location_is_a_usage_error_naming_the_argument(location, folder, reason):
    with pytest.raises(ValueError) as error:
        parameter_name(location, "--config-file", folder)
    assert str(error.value).startswith(f"--config-file {location}: ") and reason in str(error.value)


def test_local_paths_are_not_ssm_locations():
    assert not is_ssm("/etc/awslogs/awslogs.conf") and not is_ssm(None) and not is_ssm("ssm.conf")


def test_the_state_folder_defaults_to_the_services_for_parameters_and_the_config_files_folder_else(tmp_path):
    assert str(ConfigOrigin("ssm:/x/main").state_dir) == "/var/lib/awslogs"
    assert ConfigOrigin(tmp_path / "awslogs.conf", "ssm:/x/").state_dir == tmp_path
    assert ConfigOrigin("ssm:/x/main", state_dir=tmp_path).state_dir == tmp_path


def fetched():
    return Fetched({"ssm:/x/main": (Document("ssm:/x/main (version 4)", "[a]\nk = v\n", "/x/main", 4, True),)}, 12.5)


def test_the_kept_copy_comes_back_as_it_was_saved_and_is_the_agents_alone(tmp_path):
    kept = KeptConfig(ConfigOrigin("ssm:/x/main", state_dir=tmp_path / "state"))
    assert kept.load() == (None, f"no last good configuration in {tmp_path / 'state' / 'last-good-config.json'}")
    kept.save(fetched())
    assert kept.load() == (fetched(), None)
    assert stat.S_IMODE(kept.path.stat().st_mode) == 0o600 and stat.S_IMODE(kept.path.parent.stat().st_mode) == 0o700
    assert [p.name for p in kept.path.parent.iterdir()] == ["last-good-config.json"]  # no temporary left


def test_a_kept_copy_of_other_locations_or_unreadable_is_not_used(tmp_path):
    KeptConfig(ConfigOrigin("ssm:/x/main", state_dir=tmp_path)).save(fetched())
    other = KeptConfig(ConfigOrigin("ssm:/y/main", "ssm:/y/sections/", state_dir=tmp_path))
    assert other.load()[0] is None and "is of other locations (ssm:/x/main)" in other.load()[1]
    kept = KeptConfig(ConfigOrigin("ssm:/x/main", state_dir=tmp_path))
    kept.path.write_text(json.dumps({"locations": ["ssm:/x/main", None]})[:-3])
    assert kept.load()[0] is None and "is unreadable" in kept.load()[1]
