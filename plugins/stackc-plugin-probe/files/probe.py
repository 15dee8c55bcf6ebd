#!/usr/bin/python3
"""stackc probe: every `interval` seconds, read node_load1 of every host from Prometheus's
HTTP API and fetch nginx stub_status pages, appending one JSON Lines record per request to
`output`. Each record is also written to stdout for the supervisor's log.

Written by stackc; the endpoints come from the service's config file."""

import datetime
import http.client
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def load_record(base, query, timeout):
    url = base.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": query})
    record = {"time": now(), "kind": "load", "query": query, "url": url}
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise ValueError("prometheus answered status %r" % body.get("status"))
        load = {}
        for sample in body["data"]["result"]:
            instance = sample["metric"].get("instance", "")
            load[instance] = float(sample["value"][1])
        record["load"] = dict(sorted(load.items()))
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as error:
        record["error"] = str(error)
    return record


def status_record(url, timeout):
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"Host": parts.netloc, "User-Agent": "stackc-probe/1", "Accept": "text/plain", "Connection": "close"}
    record = {
        "time": now(),
        "kind": "stub_status",
        "request": {"method": "GET", "url": url, "path": path, "headers": headers},
    }
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            record["response"] = {
                "status": response.status,
                "reason": response.reason,
                "version": "HTTP/1.1" if response.version == 11 else "HTTP/1.0",
                "headers": [[name, value] for name, value in response.getheaders()],
                "body": body,
            }
        finally:
            connection.close()
    except (OSError, http.client.HTTPException) as error:
        record["error"] = str(error)
    return record


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "--config":
        print("usage: probe.py --config FILE", file=sys.stderr)
        return 2
    with open(sys.argv[2], encoding="utf-8") as f:
        config = json.load(f)
    interval = float(config["interval"])
    timeout = float(config.get("timeout", 3))
    query = config.get("query", "node_load1")
    print("probe: starting, every %ss, writing %s" % (interval, config["output"]), flush=True)
    while True:
        started = time.monotonic()
        records = [load_record(base, query, timeout) for base in config.get("prometheus", [])]
        records += [status_record(url, timeout) for url in config.get("status", [])]
        with open(config["output"], "a", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, sort_keys=True) + "\n")
        for record in records:
            print(json.dumps(record, sort_keys=True), flush=True)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


if __name__ == "__main__":
    sys.exit(main())
