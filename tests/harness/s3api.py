"""S3 on the test endpoint (moto), without botocore: buckets, objects and listings for the export tests."""
import html
import http.client
import re
import urllib.parse

_AUTH = "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"


class S3Error(Exception):
    pass


class S3Api:
    def __init__(self, endpoint):
        parsed = urllib.parse.urlsplit(endpoint)
        self._host, self._port = parsed.hostname, parsed.port

    def request(self, method, path, body=b"", query=""):
        connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
        try:
            url = urllib.parse.quote(path) + (f"?{query}" if query else "")
            connection.request(method, url, body, {"Authorization": _AUTH})
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        if response.status >= 300:
            raise S3Error(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
        return data

    def create_bucket(self, bucket):
        self.request("PUT", f"/{bucket}")

    def bucket_exists(self, bucket):
        try:
            self.request("HEAD", f"/{bucket}")
            return True
        except S3Error:
            return False

    def put(self, bucket, key, data):
        self.request("PUT", f"/{bucket}/{key}", data)

    def get(self, bucket, key):
        return self.request("GET", f"/{bucket}/{key}")

    def delete(self, bucket, key):
        self.request("DELETE", f"/{bucket}/{key}")

    def keys(self, bucket, prefix=""):
        """The keys under ``prefix`` (the first 1,000: enough for a test)."""
        listing = self.request("GET", f"/{bucket}", query=urllib.parse.urlencode({"prefix": prefix}))
        return [html.unescape(key.decode()) for key in re.findall(rb"<Key>([^<]*)</Key>", listing)]
