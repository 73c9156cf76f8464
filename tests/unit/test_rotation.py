"""Where reading starts after a restart, as pure decisions."""
from awscli_cwlogs.kvstore import Position
from awscli_cwlogs.sources.tail.rotation import FileInfo, is_compressed, is_rotated_sibling, newest, plan_start


def pos(fp, inode, offset, path="/l/app.log", updated=0.0):
    return {(fp, inode): Position(fp, path, inode, offset, updated)}


def test_newest_and_siblings():
    files = [FileInfo("/l/a.log", 1, 0, 5.0), FileInfo("/l/b.log", 2, 0, 9.0), FileInfo("/l/c.log", 3, 0, 9.0)]
    assert newest(files).path == "/l/c.log"
    assert is_rotated_sibling("/l/app.log", "/l/app.log.1")
    assert is_rotated_sibling("/l/app.log", "/l/app.log-20261122")
    assert not is_rotated_sibling("/l/app.log", "/l/app.log")
    assert not is_rotated_sibling("/l/app.log", "/other/app.log.1")
    assert all(map(is_compressed, ["a.log.gz", "a.ZIP", "a.bz2", "a.xz", "a.zst", "a.tar", "a.rar"]))


def test_no_state_uses_initial_position():
    live = FileInfo("/l/app.log", 7, 500, 1.0, "fpA")
    assert plan_start(live, [], {}, False, "start_of_file") == [(live, 0)]
    assert plan_start(live, [], {}, False, "end_of_file") == [(live, 500)]


def test_state_resumes_the_live_file_and_ignores_initial_position_for_new_files():
    live = FileInfo("/l/app.log", 7, 500, 1.0, "fpA")
    assert plan_start(live, [], pos("fpA", 7, 300), True, "end_of_file") == [(live, 300)]
    other = FileInfo("/l/app.log", 8, 500, 1.0, "fpB")
    assert plan_start(other, [], pos("fpA", 7, 300), True, "end_of_file") == [(other, 0)]


def test_rotation_while_down_finishes_the_rotated_file_first():
    live = FileInfo("/l/app.log", 8, 50, 9.0, "fpNew")
    rotated = FileInfo("/l/app.log.1", 7, 900, 5.0, "fpOld")
    assert plan_start(live, [rotated], pos("fpOld", 7, 300), True, "start_of_file") == [(rotated, 300), (live, 0)]


def test_same_first_line_but_another_inode_is_another_file():
    live = FileInfo("/l/app.log", 8, 50, 9.0, "fpHeader")
    rotated = FileInfo("/l/app.log.1", 7, 900, 5.0, "fpHeader")
    assert plan_start(live, [rotated], pos("fpHeader", 7, 300), True, "start_of_file") == [(rotated, 300), (live, 0)]


def test_copytruncate_while_down_finishes_the_copy():
    live = FileInfo("/l/app.log", 7, 40, 9.0, "fpA")  # truncated below the saved 300
    copy = FileInfo("/l/app.log.1", 9, 800, 5.0, "fpA")
    assert plan_start(live, [copy], pos("fpA", 7, 300), True, "start_of_file") == [(copy, 300), (live, 0)]


def test_fully_sent_rotated_files_are_not_read_again():
    live = FileInfo("/l/app.log", 8, 50, 9.0, "fpNew")
    rotated = FileInfo("/l/app.log.1", 7, 300, 5.0, "fpOld")
    assert plan_start(live, [rotated], pos("fpOld", 7, 300), True, "start_of_file") == [(live, 0)]


def test_a_file_written_and_rotated_while_down_is_read_whole():
    saved = pos("fpA", 7, 300, updated=100.0)
    a = FileInfo("/l/app.log.2", 7, 900, 150.0, "fpA")  # was live when we stopped
    b = FileInfo("/l/app.log.1", 8, 500, 160.0, "fpB")  # created and rotated while we were down
    old = FileInfo("/l/app.log.3", 6, 700, 50.0, "fpOld")  # long done: older than our last acceptance
    copy = FileInfo("/l/app.log.bak", 9, 900, 170.0, "fpA")  # a copy of a known file
    live = FileInfo("/l/app.log", 10, 20, 170.0, "fpC")
    assert plan_start(live, [a, b, old, copy], saved, True, "start_of_file") == [(a, 300), (b, 0), (live, 0)]


def test_a_position_whose_file_exists_only_compressed_is_finished_from_the_gz_under_its_own_key():
    live = FileInfo("/l/app.log", 8, 50, 9.0, "fpNew")
    packed = FileInfo("/l/app.log.1.gz", 20, None, 5.0, "fpOld")  # size unknown until read
    plan = plan_start(live, [packed], pos("fpOld", 7, 300), True, "start_of_file")
    assert plan == [(FileInfo("/l/app.log.1.gz", 7, None, 5.0, "fpOld"), 300), (live, 0)]  # the saved key's inode


def test_the_plain_copy_wins_over_a_compressed_one_and_the_newest_compressed_is_taken():
    live = FileInfo("/l/app.log", 8, 50, 9.0, "fpNew")
    plain = FileInfo("/l/app.log.1", 7, 900, 5.0, "fpOld")
    packed = FileInfo("/l/app.log.1.gz", 20, None, 5.0, "fpOld")
    assert plan_start(live, [plain, packed], pos("fpOld", 7, 300), True, "start_of_file") == [(plain, 300), (live, 0)]
    older = FileInfo("/l/app.log.2.gz", 21, None, 3.0, "fpOld")
    plan = plan_start(live, [older, packed], pos("fpOld", 7, 300), True, "start_of_file")
    assert [(info.path, info.inode, offset) for info, offset in plan] == [("/l/app.log.1.gz", 7, 300), ("/l/app.log", 8, 0)]


def test_a_compressed_file_never_read_is_read_whole_a_known_or_old_one_is_not():
    live = FileInfo("/l/app.log", 8, 50, 9.0, "fpC")
    saved = pos("fpA", 7, 300, updated=4.0)
    unread = FileInfo("/l/app.log.1.gz", 21, None, 6.0, "fpB")  # rotated and compressed while down
    known = FileInfo("/l/app.log.2.gz", 20, None, 5.0, "fpA")  # holds the saved position: resumed, not re-read
    old = FileInfo("/l/app.log.3.gz", 19, None, 1.0, "fpZ")  # older than the last accepted batch
    plan = plan_start(live, [unread, known, old], saved, True, "start_of_file")
    assert [(info.path, offset) for info, offset in plan] == [("/l/app.log.2.gz", 300), ("/l/app.log.1.gz", 0),
                                                              ("/l/app.log", 0)]


def test_copytruncate_while_down_with_a_compressed_copy_keeps_the_copy_s_own_key():
    live = FileInfo("/l/app.log", 7, 40, 9.0, "fpA")  # truncated below the saved 300, same first line
    packed = FileInfo("/l/app.log.1.gz", 30, None, 5.0, "fpA")
    plan = plan_start(live, [packed], pos("fpA", 7, 300), True, "start_of_file")
    assert plan == [(packed, 300), (live, 0)]


def test_a_new_origin_reads_its_rotated_copies_first_oldest_first():
    live = FileInfo("/c/id-json.log", 9, 50, 9.0, "fpC")
    first = FileInfo("/c/id-json.log.2", 7, 900, 5.0, "fpA")
    second = FileInfo("/c/id-json.log.1", 8, 900, 7.0, "fpB")
    packed = FileInfo("/c/id-json.log.3.gz", 6, None, 3.0, "fpZ")
    stranger = FileInfo("/c/other.log", 5, 10, 1.0, "fpX")
    others = [second, stranger, first, packed]
    assert plan_start(live, others, {}, True, "start_of_file", new_origin=True) == [
        (packed, 0), (first, 0), (second, 0), (live, 0)]
    assert plan_start(live, others, {}, True, "start_of_file") == [(live, 0)]  # found at start: not new
