"""The one file section most push tests ship: app.log to the log group app, stream web-1."""
from tests.harness.pushagent import section as stream_section
from tests.harness.pushagent import stored_messages

GROUP, STREAM = "app", "web-1"


def section(path, **extra):
    return stream_section(path, GROUP, STREAM, **extra)


def stored(logs):
    return stored_messages(logs, GROUP, STREAM)


def report(name, written, messages, lost, duplicated, **extra):
    details = "".join(f", {k} {v}" for k, v in extra.items())
    print(f"\n[{name}] written {written}, stored {len(messages)}, lost {len(lost)}, duplicated {duplicated}{details}")
