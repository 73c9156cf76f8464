"""The host's CPU, memory, swap, disks and load as embedded-metric-format records, every
``metrics_interval``, through the agent's log pipeline (no PutMetricData: no permission beyond
the logs ones). Read with psutil, an optional extra of the package (``host-metrics``)."""
import importlib
import json

KINDS = ("cpu", "memory", "disk", "swap", "load")
EXTRA_HINT = "pip install '.[host-metrics]' in the agent's virtualenv (launcher/install.sh includes it)"


def psutil_missing():
    """None, or why host metrics cannot be read here."""
    try:
        importlib.import_module("psutil")
    except ImportError:
        return f"needs psutil: {EXTRA_HINT}"
    return None


class HostMetrics:
    """``sample(now_ms)`` -> embedded-metric-format documents (text) for the chosen ``kinds``:
    one with the host as dimension, and one per disk path with the host and the mount point."""

    def __init__(self, kinds, disk_paths, host, namespace):
        import psutil  # here: an optional dependency (the host-metrics extra), needed only when asked for
        self._psutil = psutil
        self._kinds, self._disk_paths, self._host, self._namespace = set(kinds), disk_paths, host, namespace
        if "cpu" in self._kinds:
            psutil.cpu_percent(interval=None)  # the first call starts the interval the next one measures

    def sample(self, now_ms):
        psutil = self._psutil
        figures = []  # (name, unit, value)
        if "cpu" in self._kinds:
            figures.append(("CPUBusyPercent", "Percent", psutil.cpu_percent(interval=None)))
        if "memory" in self._kinds:
            memory = psutil.virtual_memory()
            figures += [("MemoryUsedPercent", "Percent", memory.percent),
                        ("MemoryAvailableBytes", "Bytes", memory.available)]
        if "swap" in self._kinds:
            swap = psutil.swap_memory()
            figures += [("SwapUsedPercent", "Percent", swap.percent), ("SwapFreeBytes", "Bytes", swap.free)]
        if "load" in self._kinds:
            for minutes, load in zip((1, 5, 15), psutil.getloadavg()):
                figures.append((f"LoadAverage{minutes}", "None", round(load, 2)))
        documents = [self._document(figures, {"Host": self._host}, now_ms)] if figures else []
        if "disk" in self._kinds:
            for path in self._disk_paths:
                try:
                    usage = psutil.disk_usage(path)
                except OSError:
                    continue  # not mounted now: nothing to say for it
                documents.append(self._document(
                    [("DiskUsedPercent", "Percent", usage.percent), ("DiskFreeBytes", "Bytes", usage.free)],
                    {"Host": self._host, "MountPoint": path}, now_ms))
        return documents

    def _document(self, figures, dimensions, now_ms):
        document = {"_aws": {"Timestamp": now_ms, "CloudWatchMetrics": [{
            "Namespace": self._namespace, "Dimensions": [list(dimensions)],
            "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in figures]}]}, **dimensions}
        document.update({name: value for name, _, value in figures})
        return json.dumps(document, separators=(",", ":"))
