"""sources/tail/listing.py: rotated siblings by name, without comparing every pair."""
from awscli_cwlogs.sources.tail.listing import has_live_file, names_after


def test_names_after_are_the_longer_names_a_name_starts():
    names = sorted(["app.log", "app.log.1", "app.log.2.gz", "app.logger", "apple.log", "b.log", "app.lo"])
    assert names_after(names, "app.log") == ["app.log.1", "app.log.2.gz", "app.logger"]
    assert names_after(names, "b.log") == []
    assert names_after(names, "zzz") == []


def test_a_path_has_a_live_file_when_a_shorter_listed_name_starts_it():
    listed = {"/l/app.log", "/l/app.log.1", "/l/other.log", "/m/app.log.2"}
    assert has_live_file("/l/app.log.1", listed)
    assert not has_live_file("/l/app.log", listed)
    assert not has_live_file("/m/app.log.2", listed)  # app.log is in another folder
    assert not has_live_file("/l/other.log", listed)
