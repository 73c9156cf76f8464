"""A command run with a terminal for its standard output (a pseudo-terminal of a given size), for
what the readers draw only there: charts, histograms."""
import os
import pty
import subprocess


def on_a_terminal(aws, *args, columns=72, lines=20):
    """(exit status, what a terminal of that size showed, stderr) of an aws command whose output is one."""
    master, slave = pty.openpty()
    process = aws.popen(*args, stdout=slave, stderr=subprocess.PIPE,
                        env={"COLUMNS": str(columns), "LINES": str(lines), "NO_COLOR": "1"})
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    stderr = process.stderr.read().decode()
    return process.wait(60), shown.decode().replace("\r\n", "\n"), stderr
