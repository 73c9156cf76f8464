"""``source = file`` (the default): the newest file a glob matches, or every match with
``publish_all_matching``, followed through rotation and compressed copies."""
import os

from awscli_cwlogs.cloudwatch.routing import Router
from awscli_cwlogs.config import values as parse
from awscli_cwlogs.sources.tail.keys import DECODING_KEYS, LINE_KEYS, FollowedFiles, options_of
from awscli_cwlogs.lines.events import event_spec
from awscli_cwlogs.sources.tail.matching import EveryMatchTailer
from awscli_cwlogs.sources.files.preview import last_events_as_sent, preview
from awscli_cwlogs.sources.tail.survey import LIVE, file_lines, survey
from awscli_cwlogs.sources.tail.tailer import FileTailer


class FileKind:
    name = "file"
    keys = {"file": parse.text, **DECODING_KEYS, "publish_all_matching": parse.boolean, **LINE_KEYS}
    defaults = {}
    needs_file = True
    routes_per_origin = False
    placeholders = ("file_name",)
    parameters = ()

    def options(self, values):
        return options_of(FollowedFiles, values)

    def open(self, stream, saved, has_state):
        spec = event_spec(stream.options.lines, stream.batch_size, stream.record)
        if stream.options.publish_all_matching:
            return EveryMatchTailer(stream, spec, saved, has_state)
        return FileTailer(stream, spec, saved, has_state, watch=True)

    def check(self, stream, positions, now):
        lines = [f"[{stream.section}] {stream.options.file} -> log group {stream.log_group_name}, "
                 f"log stream {stream.log_stream_name}  ({stream.defined_in})"]
        files = self.survey(stream, positions)[0][1]
        lines += file_lines(files, "  ")
        live = next((f for f in files if f.role == LIVE), None)
        router = Router(stream.log_group_name, stream.log_stream_name)
        if live is not None and router.static is None:
            group, name = router.destination({"file_name": os.path.basename(live.path)}, int(now() * 1000))
            per_record = " ({json:...}: from each record, as below)" if "{json:" in group + name else ""
            lines.append(f"  names for {os.path.basename(live.path)} today: log group {group}, log stream {name}"
                         + per_record)
        if not files:
            return lines, [f"file: '{stream.options.file}' matches no file"]
        if live is None:
            return lines, [f"file: '{stream.options.file}' matches no readable file"]
        shown, problems = preview(live.path, stream, now)
        if not stream.record.plain:
            values = {"file_name": os.path.basename(live.path)}
            shown += last_events_as_sent(live.path, stream, now,
                                         lambda timestamp, own: router.destination({**values, **own}, timestamp))
        return lines + shown, problems

    def survey(self, stream, positions):
        return [(None, survey(stream, positions, bool(positions)))]

    def status(self, stream, positions):
        return {}

    def status_lines(self, entry):
        return []


KIND = FileKind()
