"""Compressed rotated copies: fingerprints of the decompressed head, the gzip size trailer, and
reading from an offset of the decompressed content (small files in a temporary folder)."""
import bz2
import gzip
import lzma

from awscli_cwlogs.lines.events import EventReader

from tests.harness.sections import spec_of
from tests.harness.sections import make_stream
from awscli_cwlogs.sources.tail.compressed import (CompressedCopy, compressed_fingerprint, find_compressed_copy,
                                                    head_fingerprint, nothing_left)

TEXT = b"".join(b"line %04d\n" % i for i in range(2000))


def test_head_fingerprint_waits_for_complete_lines_and_names_the_chosen_lines():
    assert head_fingerprint(b"first line without end", (1, 1)) == (None, b"")
    fingerprint, head = head_fingerprint(b"a\nb\nc\n", (1, 2))
    assert head == b"a\nb\n" and fingerprint == head_fingerprint(b"a\nb\nother\n", (1, 2))[0]
    assert head_fingerprint(b"a\nb\nc\n", (2, 2))[0] == head_fingerprint(b"z\nb\nq\n", (2, 2))[0]
    assert head_fingerprint(b"a\nb\nc\n", (1, 1))[0] != head_fingerprint(b"b\n", (1, 1))[0]


def test_the_same_fingerprint_for_every_format_as_for_the_plain_file(tmp_path):
    plain = head_fingerprint(TEXT, (1, 1))[0]
    for suffix, compress in ((".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)):
        path = tmp_path / f"app.log.1{suffix}"
        path.write_bytes(compress(TEXT))
        assert compressed_fingerprint(str(path), (1, 1))[0] == plain
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"not gzip at all")
    assert compressed_fingerprint(str(broken), (1, 1)) == (None, b"")


def test_nothing_left_reads_the_gzip_size_trailer(tmp_path):
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(gzip.compress(TEXT))
    assert nothing_left(str(path), len(TEXT))
    assert not nothing_left(str(path), len(TEXT) - 10)
    assert not nothing_left(str(path), 0)


def test_a_copy_reads_from_its_offset_to_the_end_in_budgets(tmp_path):
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(gzip.compress(TEXT))
    offset = 10 * 1500  # lines 1500..1999 are left
    spec = spec_of(make_stream(section="s", log_group_name="g", log_stream_name="s", file="x"))
    copy = CompressedCopy(str(path), ("fp", 7), offset, "app.log", EventReader(spec, offset), "s", lambda: 0.0)
    messages = []
    while not copy.done:
        messages += [event[1] for event in copy.read(1000)]
    assert messages == [f"line {i:04d}" for i in range(1500, 2000)]
    assert copy.offset == len(TEXT)


def test_find_compressed_copy_matches_head_and_the_bytes_before_the_offset(tmp_path):
    (tmp_path / "app.log.1.gz").write_bytes(gzip.compress(TEXT))
    (tmp_path / "other.gz").write_bytes(gzip.compress(b"other\n" * 3000))
    paths = [str(tmp_path / "other.gz"), str(tmp_path / "app.log.1.gz")]
    head, offset = TEXT[:10], 5000
    found = find_compressed_copy(paths, head, TEXT[offset - 512:offset], offset)
    assert found == (str(tmp_path / "app.log.1.gz"), (tmp_path / "app.log.1.gz").stat().st_ino)
    assert find_compressed_copy(paths, head, b"x" * 512, offset) is None
