"""awslogs.conf parsing: every key, defaults, and one-line errors naming file, section and key."""
import os
from pathlib import Path

import pytest

from awscli_cwlogs.config import settings
from awscli_cwlogs.config.settings import ConfigError
from awscli_cwlogs.sources.kinds import KINDS


def load_config(*args, **kwargs):
    return settings.load_config(*args, kinds=KINDS, **kwargs)


GOOD = """
[general]
state_file = state/agent-state
queue_size = 4
use_gzip_http_content_encoding = false

[/var/log/app]
file = /var/log/app/*.log
log_group_name = app-{hostname}
log_stream_name = {instance_id}/{ip_address}
datetime_format = %Y-%m-%d %H:%M:%S
time_zone = UTC
initial_position = end_of_file
encoding = latin_1
buffer_duration = 100
batch_count = 500
batch_size = 65536
multi_line_start_pattern = {datetime_format}
file_fingerprint_lines = 2-4
retention_in_days = 30
"""


def resolve(name):
    return {"hostname": "web1", "instance_id": "i-0abc", "ip_address": "10.1.2.3"}[name]


def write(tmp_path, text, name="awslogs.conf"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_key_is_read(tmp_path):
    config = load_config(write(tmp_path, GOOD), resolve_placeholder=resolve)
    assert config.general.state_file == str(tmp_path / "state/agent-state")
    assert (config.general.queue_size, config.general.use_gzip_http_content_encoding) == (4, False)
    [stream] = config.streams
    assert (stream.section, stream.log_group_name, stream.log_stream_name) == ("/var/log/app", "app-web1", "i-0abc/10.1.2.3")
    assert (stream.options.lines.time_zone, stream.initial_position, stream.options.lines.encoding) == (
        "UTC", "end_of_file", "latin_1")
    assert (stream.buffer_duration, stream.batch_count, stream.batch_size) == (100, 500, 65536)
    assert stream.options.file_fingerprint_lines == (2, 4) and stream.retention_in_days == 30


def test_defaults_are_the_old_agents(tmp_path):
    config = load_config(write(tmp_path, "[s]\nfile = /x\nlog_group_name = g\nlog_stream_name = s\n"))
    assert config.general.state_file == str(tmp_path / "watchstate")
    assert config.general.use_gzip_http_content_encoding is True and config.general.queue_size == 10
    [s] = config.streams
    assert (s.options.lines.time_zone, s.initial_position, s.options.lines.encoding, s.buffer_duration) == (
        "LOCAL", "start_of_file", "utf_8", 5000)
    assert (s.batch_count, s.batch_size, s.options.lines.multi_line_start_pattern) == (10_000, 1_048_576, r"^[^\s]")
    assert s.options.file_fingerprint_lines == (1, 1) and s.options.lines.datetime_format is None


def test_quoted_values_keep_a_hash(tmp_path):
    config = load_config(write(tmp_path, '[s]\nfile = /x\nlog_group_name = "g#1"\nlog_stream_name = s\n'
                                         'multi_line_start_pattern = "^#\\d+"  # a comment\n'), resolve_placeholder=resolve)
    assert config.streams[0].log_group_name == "g#1"
    assert config.streams[0].options.lines.multi_line_start_pattern == r"^#\d+"


BASE = "[s]\nfile = /x\nlog_group_name = g\nlog_stream_name = s\n"


@pytest.mark.parametrize("extra, key, reason", [
    ("colour = blue", "colour", "unknown key"),
    ("batch_count = 0", "batch_count", "outside 1..10000"),
    ("batch_count = 10001", "batch_count", "outside 1..10000"),
    ("batch_count = ten", "batch_count", "not a number"),
    ("batch_size = 1048577", "batch_size", "outside 1..1048576"),
    ("buffer_duration = 50", "buffer_duration", "outside 100.."),
    ("file_fingerprint_lines = 3-", "file_fingerprint_lines", "not N or N-M"),
    ("file_fingerprint_lines = 5-2", "file_fingerprint_lines", "1 <= N <= M"),
    ("file_fingerprint_lines = 0", "file_fingerprint_lines", "1 <= N <= M"),
    ("encoding = utf-99", "encoding", "not an encoding"),
    ("time_zone = PST", "time_zone", "not LOCAL or UTC"),
    ("initial_position = middle", "initial_position", "not one of start_of_file, end_of_file"),
    ("multi_line_start_pattern = ^(unclosed", "multi_line_start_pattern", "not a valid regular expression"),
    ("multi_line_start_pattern = {datetime_format}", "multi_line_start_pattern", "needs datetime_format"),
    ("datetime_format = %Y-%m-%d %Q", "datetime_format", "%Q"),
    ("retention_in_days = 10", "retention_in_days", "not a retention AWS allows"),
    ("log_format = yaml", "log_format", "not one of text, json"),
    ("timestamp_pattern = ts=(\\d+)", "timestamp_pattern", "needs datetime_format"),
    ("timestamp_key = time", "timestamp_key", "needs log_format = json"),
    ("mask_fields = password", "mask_fields", "needs log_format = json"),
    ("drop_fields = debug", "drop_fields", "needs log_format = json"),
    ("mask_detectors = email, phone", "mask_detectors", "unknown detector 'phone'; known: aws_access_key_id"),
    ("mask_patterns = (unclosed", "mask_patterns", "not a valid regular expression"),
    ("log_format = json\nmulti_line_start_pattern = {datetime_format}\ndatetime_format = epoch",
     "multi_line_start_pattern", "is for text lines"),
])
def test_bad_values_name_file_section_key_and_reason(tmp_path, extra, key, reason):
    path = write(tmp_path, BASE + extra + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, resolve_placeholder=resolve)
    message = str(error.value)
    assert message.startswith(f"{path}: [s] {key}: ") and reason in message and "\n" not in message


@pytest.mark.parametrize("missing", ["file", "log_group_name", "log_stream_name"])
def test_missing_required_keys(tmp_path, missing):
    text = "".join(line + "\n" for line in BASE.splitlines() if not line.startswith(missing))
    with pytest.raises(ConfigError, match=rf"\[s\] {missing}: missing \(required\)"):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize("text, reason", [
    (BASE.replace("log_group_name = g", "log_group_name = {cluster}"), "unknown placeholder {cluster}"),
    (BASE.replace("log_group_name = g", "log_group_name = bad:name"), "is not a log group name"),
    (BASE.replace("log_stream_name = s", "log_stream_name = a*b"), "is not a log stream name"),
    ("[general]\nqueue_size = 0\n" + BASE, "queue_size: 0 is outside 1..1000"),
    ("[general]\n", "no stream sections"),
    ("state_file = x\n" + BASE, "outside any [section]"),
    (BASE + "[[nested]]\nx = 1\n", "nested section"),
    (BASE + BASE, "Duplicate section name"),
    ("[s\nfile = x\n", "Invalid line"),
])
def test_structural_errors(tmp_path, text, reason):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), resolve_placeholder=resolve)
    assert reason in str(error.value) and "\n" not in str(error.value)


def test_additional_configs_dir_in_name_order_skipping_hidden_and_backups(tmp_path):
    folder = tmp_path / "conf.d"
    folder.mkdir()
    (folder / "b.conf").write_text(BASE.replace("[s]", "[b]"))
    (folder / "a.conf").write_text(BASE.replace("[s]", "[a]"))
    for skipped in (".hidden", "c.conf~", "d.conf.swp", "e.conf.bak"):
        (folder / skipped).write_text("this would not parse [")
    config = load_config(write(tmp_path, BASE), folder)
    assert [s.section for s in config.streams] == ["s", "a", "b"]
    assert config.streams[1].defined_in == str(folder / "a.conf")


def test_a_section_defined_twice_names_both_files(tmp_path):
    folder = tmp_path / "conf.d"
    folder.mkdir()
    (folder / "again.conf").write_text(BASE)
    main = write(tmp_path, BASE)
    with pytest.raises(ConfigError) as error:
        load_config(main, folder)
    assert str(error.value) == f"{folder / 'again.conf'}: [s] is already defined in {main}"


def test_missing_config_file_and_directory(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.conf")
    with pytest.raises(ConfigError, match="is not a directory"):
        load_config(write(tmp_path, BASE), tmp_path / "nodir")
    with pytest.raises(ConfigError, match=f"^{tmp_path}: is a folder, not a config file$"):
        load_config(tmp_path)


def test_a_config_from_a_pipe_is_read(tmp_path):
    """--config-file <(render-config): the shell passes /dev/fd/N, a pipe."""
    read, write_end = os.pipe()
    os.write(write_end, BASE.encode())
    os.close(write_end)
    try:
        assert len(load_config(Path(f"/dev/fd/{read}")).streams) == 1
    finally:
        os.close(read)



def test_group_class_key_and_tags_follow_aws_rules(tmp_path):
    def stream(extra):
        path = tmp_path / "awslogs.conf"
        path.write_text(f"[general]\nstate_file = s\n[app]\nfile = /x\nlog_group_name = g\nlog_stream_name = s\n{extra}\n")
        return load_config(path).streams[0]

    good = stream("log_group_class = infrequent_access\nlog_group_tags = team=ops, note = a b:c/d@e\n"
                  "kms_key_id = arn:aws:kms:eu-west-1:123456789012:key/abcd-1234")
    assert good.log_group_class == "infrequent_access" and good.log_group_tags == (("team", "ops"), ("note", "a b:c/d@e"))
    for extra, message in (("log_group_class = cold", "[app] log_group_class: 'cold' is not one of standard"),
                           ("log_group_tags = team", "[app] log_group_tags: 'team' is not key=value"),
                           ("log_group_tags = aws:x=1", "[app] log_group_tags: 'aws:x': keys starting with aws:"),
                           ("log_group_tags = a=1, a=2", "[app] log_group_tags: give 1-50 tags, each key once"),
                           ("log_group_tags = k=v*", "[app] log_group_tags: 'k=v*': keys are 1-128"),
                           ("kms_key_id = alias/mine", "[app] kms_key_id: 'alias/mine' is not a KMS key ARN")):
        try:
            stream(extra)
        except ConfigError as error:
            assert message in str(error) and str(tmp_path) in str(error), str(error)
        else:
            raise AssertionError(f"{extra} was accepted")


def test_credential_keys_and_prices_follow_aws_rules(tmp_path):
    def load(extra, general=""):
        path = tmp_path / "awslogs.conf"
        path.write_text(f"[general]\nstate_file = s\n{general}\n[app]\nfile = /x\nlog_group_name = g\n"
                        f"log_stream_name = s\n{extra}\n")
        return load_config(path)

    role = "arn:aws:iam::123456789012:role/path/central-logs"
    good = load(f"profile = security\nrole_arn = {role}\nexternal_id = ops:4242\nrole_session_name = web-1",
                "price_per_gb = infrequent_access=0.3")
    assert (good.streams[0].profile, good.streams[0].role_arn, good.streams[0].external_id) == \
        ("security", role, "ops:4242")
    assert good.general.price_per_gb == (("delivery", 0.25), ("infrequent_access", 0.3), ("standard", 0.5))  # the others keep their defaults
    assert load("").general.price_per_gb == (("delivery", 0.25), ("infrequent_access", 0.25), ("standard", 0.5))
    for extra, general, message in (
            ("role_arn = arn:aws:iam::123:role/x", "", "[app] role_arn: 'arn:aws:iam::123:role/x' is not an IAM role ARN"),
            ("external_id = abc", "", "[app] external_id: goes with role_arn, which this section does not set"),
            (f"role_arn = {role}\nexternal_id = a b", "", "[app] external_id: is not 2-1224 of letters"),
            (f"role_arn = {role}\nrole_session_name = {'x' * 65}", "", "[app] role_session_name: 'xxx"),
            ("", "price_per_gb = gold=1", "[general] price_per_gb: 'gold=1' is not standard=PRICE"),
            ("", "price_per_gb = standard=nan", "[general] price_per_gb: 'nan' is not a price")):
        with pytest.raises(ConfigError) as raised:
            load(extra, general)
        assert message in str(raised.value) and str(tmp_path) in str(raised.value), str(raised.value)


def parameter(name, text, version=1, secret=False):
    from awscli_cwlogs.config.documents import Document
    return Document(f"ssm:{name} (version {version})", text, name, version, secret)


SECTION = "[app]\nfile = /l/app.log\nlog_group_name = g\nlog_stream_name = s\n"


def test_parameters_load_as_files_do_and_errors_name_the_parameter_and_version(tmp_path):
    from awscli_cwlogs.config.settings import load_documents
    main = parameter("/c/main", "[general]\nstate_file = agent-state\n")
    loaded = load_documents(main, [parameter("/c/s/a", SECTION, 3)], KINDS, base=tmp_path)
    assert loaded.general.state_file == str(tmp_path / "agent-state")
    assert loaded.streams[0].defined_in == "ssm:/c/s/a (version 3)"
    for extras, message in [
        ([parameter("/c/s/a", SECTION), parameter("/c/s/b", SECTION, 2)],
         "ssm:/c/s/b (version 2): [app] is already defined in ssm:/c/s/a"),
        ([parameter("/c/s/a", "[general]\nqueue_size = 3\n")],
         "ssm:/c/s/a (version 1): [general] belongs in the main configuration ssm:/c/main"),
        ([parameter("/c/s/a", SECTION + "batch_count = many\n", 7)],
         "ssm:/c/s/a (version 7): [app] batch_count: 'many' is not a number"),
    ]:
        with pytest.raises(ConfigError) as error:
            load_documents(main, extras, KINDS, base=tmp_path)
        assert str(error.value) == message


@pytest.mark.parametrize("text, message", [
    (SECTION + "batch_count = hunter2\n",
     "[app] batch_count: not a valid value (not shown: the parameter is a SecureString)"),
    (SECTION.replace("= g", "= {hunter2}"),
     "[app] log_group_name: not a valid value (not shown: the parameter is a SecureString)"),
    (SECTION + "hunter2 hunter2\n", "line 5 is not [section] nor key = value (not shown: SecureString)"),
])
def test_an_error_in_a_secure_string_never_quotes_it(tmp_path, text, message):
    from awscli_cwlogs.config.settings import load_documents
    with pytest.raises(ConfigError) as error:
        load_documents(parameter("/c/main", text, 2, secret=True), [], KINDS, base=tmp_path)
    assert str(error.value) == f"ssm:/c/main (version 2): {message}" and "hunter2" not in str(error.value)
    with pytest.raises(ConfigError) as shown:  # the same text as a String: the value is quoted
        load_documents(parameter("/c/main", text, 2), [], KINDS, base=tmp_path)
    assert "hunter2" in str(shown.value)


def test_a_local_config_file_mixes_with_parameters_under_a_path(tmp_path):
    from awscli_cwlogs.config.origin import ConfigOrigin, Fetched
    main = write(tmp_path, "[general]\nstate_file = agent-state\n" + SECTION)
    origin = ConfigOrigin(main, "ssm:/c/sections")
    fetched = Fetched({"ssm:/c/sections": (parameter("/c/sections/b", SECTION.replace("[app]", "[b]")),)})
    loaded = origin.load(fetched, KINDS)
    assert [s.defined_in for s in loaded.streams] == [str(main), "ssm:/c/sections/b (version 1)"]
    assert loaded.general.state_file == str(tmp_path / "agent-state")


STRUCTURED = '''log_format = JSON
timestamp_key = event.time
datetime_format = epoch_ms
mask_detectors = email ipv4, jwt
mask_fields = password, user.ssn
drop_fields = debug
mask_text = [masked]
mask_patterns = """
    token=(?P<mask>\\w+)
    ^secret .*
    """
'''


def test_structured_and_masking_keys(tmp_path):
    [s] = load_config(write(tmp_path, BASE + STRUCTURED)).streams
    assert (s.record.log_format, s.record.timestamp_key, s.options.lines.datetime_format) == (
        "json", "event.time", "epoch_ms")
    assert s.record.mask_detectors == ("email", "ipv4", "jwt")
    assert s.record.mask_patterns == (r"token=(?P<mask>\w+)", "^secret .*")
    assert (s.record.mask_fields, s.record.drop_fields, s.record.mask_text) == (
        ("password", "user.ssn"), ("debug",), "[masked]")


@pytest.mark.parametrize("value", ["iso8601", "epoch", "epoch_s", "epoch_ms", "epoch_us", "EPOCH_NS"])
def test_named_datetime_formats(tmp_path, value):
    config = load_config(write(tmp_path, BASE + f"datetime_format = {value}\n"))
    assert config.streams[0].options.lines.datetime_format == value.lower()


def test_a_journald_json_section_reads_the_message_alone(tmp_path):
    text = "[j]\nsource = journald\nlog_group_name = g\nlog_stream_name = s\nlog_format = json\n"
    assert load_config(write(tmp_path, text)).streams[0].options.message_format == "message"
    with pytest.raises(ConfigError, match=r"\[j\] log_format: json needs message_format = message"):
        load_config(write(tmp_path, text + "message_format = short\n"))


def test_names_from_the_records_fields(tmp_path):
    text = BASE.replace("log_stream_name = s", "log_stream_name = {hostname}/{json:service|other}")
    [s] = load_config(write(tmp_path, text + "log_format = json\nmax_destinations = 20\n"),
                      resolve_placeholder=resolve).streams
    assert (s.log_stream_name, s.max_destinations) == ("web1/{json:service|other}", 20)
    with pytest.raises(ConfigError, match=r"\[s\] log_stream_name: \{json:\.\.\.\} needs log_format = json"):
        load_config(write(tmp_path, text), resolve_placeholder=resolve)
    journal = "[j]\nsource = journald\nlog_group_name = g\nlog_stream_name = {json:service}\nlog_format = json\n"
    with pytest.raises(ConfigError, match=r"\[j\] log_stream_name: \{json:\.\.\.\} is not for source = journald"):
        load_config(write(tmp_path, journal), resolve_placeholder=resolve)
    with pytest.raises(ConfigError, match=r"\[s\] max_destinations: 0 is outside 1\.\.100000"):
        load_config(write(tmp_path, BASE + "max_destinations = 0\n"))
