"""The agent's process, set up for a long run of the same work once start-up is over: Python's
garbage collector and the C library's allocator, tuned to what the agent allocates."""
import ctypes
import gc

GC_YOUNG_THRESHOLD = 10_000  # allocations between collections of the youngest generation (Python's default: 700)
MMAP_THRESHOLD = 4 << 20  # glibc's default: 128 KiB, rising with what is freed
TRIM_THRESHOLD = 16 << 20  # free memory the heap keeps at its top
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt()'s parameters, from glibc's malloc.h


def settle_process():
    settle_collector()
    keep_freed_blocks()


def settle_collector():
    """The CLI's start-up objects (service models, parsers, modules) live as long as the process:
    frozen, no full collection walks them again. And the youngest generation is collected less
    often: per event the agent makes tuples and strings that form no cycles, and each
    collection walks everything young, including the batches being filled."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def keep_freed_blocks():
    """glibc gives a block of over 128 KiB its own mapping and unmaps it when it is freed, so the
    next one is fresh pages, each a page fault: the agent makes a few such blocks per batch
    (its request body, the text it checks for characters to escape), and the faults cost as much
    as the encoding (80,000 faults and 0.24 of 1.7 CPU-s draining 500k lines; 14,000 and 0.12
    after). Blocks up to MMAP_THRESHOLD come from the heap instead, which keeps up to
    TRIM_THRESHOLD free. Peak RSS is the same. Nothing to do where the C library is not glibc."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
