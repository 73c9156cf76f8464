"""The log groups and streams a section sends to: created, with the section's class, KMS key,
deletion protection, tags and retention, when PutLogEvents says they are missing."""
import logging

from botocore.exceptions import BotoCoreError, ClientError

LOG = logging.getLogger("awscli_cwlogs")


class Destinations:
    def __init__(self, client, stream):
        self._client = client
        self._section = stream.section
        self._retention = stream.retention_in_days
        self._wanted_class = stream.log_group_class.upper()
        self._group_settings = {**({"logGroupClass": self._wanted_class} if self._wanted_class != "STANDARD" else {}),
                                **({"kmsKeyId": stream.kms_key_id} if stream.kms_key_id else {}),
                                **({"deletionProtectionEnabled": True} if stream.deletion_protection else {}),
                                **({"tags": dict(stream.log_group_tags)} if stream.log_group_tags else {})}
        self._classes_checked = set()

    def create(self, group, stream):
        """Creates the group (with the section's settings and retention) and the stream; either
        may exist already."""
        try:
            self._client.create_log_group(logGroupName=group, **self._group_settings)
            LOG.info("[%s] created log group %s", self._section, group)
            if self._retention:
                self._client.put_retention_policy(logGroupName=group, retentionInDays=self._retention)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                raise
            self._compare_class(group)
        try:
            self._client.create_log_stream(logGroupName=group, logStreamName=stream)
            LOG.info("[%s] created log stream %s/%s", self._section, group, stream)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                raise

    def _compare_class(self, group):
        """One WARNING when an existing group is of another class than the section asks for (a
        class cannot change after creation); shipping goes on."""
        wanted = self._wanted_class
        if group in self._classes_checked:
            return
        self._classes_checked.add(group)
        try:
            found = self._client.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        except (ClientError, BotoCoreError):
            return  # not allowed to look: nothing to say
        actual = next((g.get("logGroupClass") for g in found if g.get("logGroupName") == group), None)
        if actual and actual != wanted:
            LOG.warning("[%s] log group %s exists in the %s class, not %s as log_group_class asks: a class cannot "
                        "change after creation; shipping to it as it is", self._section, group, actual, wanted)
