"""A command run with a terminal for its standard output (a pseudo-terminal of a given size), for
what the readers draw only there: charts, histograms; and what a pseudo-terminal showed."""
import os
import pty
import subprocess


def on_a_terminal(aws, *args, columns=72, lines=20):
    """(exit status, what a terminal of that size showed, stderr) of an aws command whose output is one."""
    master, slave = pty.openpty()
    process = aws.popen(*args, stdout=slave, stderr=subprocess.PIPE,
                        env={"COLUMNS": str(columns), "LINES": str(lines), "NO_COLOR": "1"})
    os.close(slave)
    shown = read_to_the_end(master)
    os.close(master)
    stderr = process.stderr.read().decode()
    return process.wait(60), shown.decode().replace("\r\n", "\n"), stderr


def read_to_the_end(master):
    """What a pseudo-terminal's other side wrote, until it was closed."""
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # Linux: EIO once the other side is closed
            break
        if not chunk:
            break
        shown += chunk
    return shown
