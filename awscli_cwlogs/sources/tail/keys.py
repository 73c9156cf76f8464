"""The keys of every kind that reads lines from files (file, docker, cri)."""
from awscli_cwlogs.config import values as parse

LINE_KEYS = {"multi_line_start_pattern": parse.regex, "file_fingerprint_lines": parse.fingerprint_lines}
