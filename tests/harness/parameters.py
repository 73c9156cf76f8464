"""SSM Parameter Store on the test endpoint: the parameters an agent's configuration comes from."""
from tests.harness.logsapi import LogsApi, LogsApiError

STANDARD_MAX = 4096  # bytes in a standard-tier parameter's value


class ParameterStore(LogsApi):
    SERVICE, TARGET = "ssm", "AmazonSSM"

    def put(self, name, value, secure=False, tier="Standard"):
        """The parameter's new version."""
        return self.call("PutParameter", {"Name": name, "Value": value, "Overwrite": True, "Tier": tier,
                                          "Type": "SecureString" if secure else "String"})["Version"]

    def delete(self, name):
        self.call("DeleteParameter", {"Name": name})

    def put_config(self, name, sections, general=None, **options):
        """A configuration in awslogs.conf form as the value of parameter ``name``."""
        return self.put(name, config_text(sections, general), **options)


def config_text(sections, general=None):
    text = "[general]\n" + "".join(f"{k} = {v}\n" for k, v in general.items()) if general else ""
    for name, values in sections.items():
        text += f"\n[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    return text


__all__ = ["ParameterStore", "LogsApiError", "config_text", "STANDARD_MAX"]
