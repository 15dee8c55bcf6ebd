"""A Celery worker that logs every message it receives.

Every message taken from its queues is logged to stdout, one line each, with its raw body:
a task request it knows (`received`), a task it does not know (`unknown`) and a message that
is not a task request at all (`rejected`). Its one task, `log_message`, logs its arguments
again once it runs.

Everything comes from the environment, which Compose sets:

    CELERY_BROKER_HOST, CELERY_BROKER_PORT   the broker's address
    CELERY_BROKER_USER, CELERY_BROKER_PASSWORD, CELERY_BROKER_VHOST
    WORKER_NAME          the worker's node name is WORKER_NAME@<host name>
    WORKER_TASK          the name of the task that logs its message
    WORKER_QUEUES        the queues tasks are sent to, comma-separated
    WORKER_LOG_LEVEL     DEBUG, INFO, WARNING or ERROR
    WORKER_METRICS_ADDRESS, WORKER_METRICS_PORT
                         where counters of received messages are served for Prometheus
                         (port 0: nowhere)

The broker URL, which holds the password, is built here at start and never written
anywhere. `python -m message_logger ping` asks this worker, through the broker, whether it
is alive: the container's healthcheck.
"""

import json
import logging
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

from celery import Celery, signals

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Longest raw body logged in full; the rest is cut, saying how long it was.
MAX_BODY = 16384

log = logging.getLogger("message_logger")


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit(f"message_logger: {name} is not set")
    return value


def broker_url():
    user = quote(env("CELERY_BROKER_USER"), safe="")
    password = quote(env("CELERY_BROKER_PASSWORD"), safe="")
    vhost = quote(env("CELERY_BROKER_VHOST", "/"), safe="")
    host = env("CELERY_BROKER_HOST")
    port = int(env("CELERY_BROKER_PORT", "5672"))
    return f"amqp://{user}:{password}@{host}:{port}/{vhost}"


def node_name():
    return f"{env('WORKER_NAME', 'worker')}@{socket.gethostname()}"


QUEUES = [q for q in env("WORKER_QUEUES", "celery").split(",") if q]
TASK = env("WORKER_TASK", "log_message")

app = Celery("message_logger")
app.conf.update(
    broker_url=broker_url(),
    broker_connection_retry_on_startup=True,
    task_default_queue=QUEUES[0],
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
)


class Counters:
    """Messages received, by kind; read by the metrics server's thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"received": 0, "unknown": 0, "rejected": 0}

    def add(self, kind):
        with self.lock:
            self.counts[kind] += 1

    def exposition(self):
        with self.lock:
            counts = dict(self.counts)
        lines = [
            "# HELP celery_worker_messages_received_total Messages the worker took from its queues.",
            "# TYPE celery_worker_messages_received_total counter",
        ]
        for kind in sorted(counts):
            lines.append(f'celery_worker_messages_received_total{{kind="{kind}"}} {counts[kind]}')
        return "\n".join(lines) + "\n"


COUNTERS = Counters()


def body_text(message):
    """The raw body as text, cut at MAX_BODY characters."""
    body = getattr(message, "body", b"")
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", errors="replace")
    elif not isinstance(body, str):
        body = repr(body)
    if len(body) > MAX_BODY:
        return f"{body[:MAX_BODY]}... ({len(body)} characters)"
    return body


def routing(message):
    info = getattr(message, "delivery_info", None) or {}
    return info.get("routing_key") or "-"


@signals.setup_logging.connect
def setup_logging(loglevel=None, **_):
    # Connected, this replaces Celery's own set-up: everything goes to stdout, one format.
    logging.basicConfig(stream=sys.stdout, level=env("WORKER_LOG_LEVEL", "INFO"), format=LOG_FORMAT, force=True)


@signals.task_received.connect
def on_received(request=None, **_):
    COUNTERS.add("received")
    log.info(
        "received task=%s id=%s queue=%s body=%s",
        request.name,
        request.id,
        routing(request.message),
        body_text(request.message),
    )


@signals.task_unknown.connect
def on_unknown(message=None, name=None, id=None, **_):
    COUNTERS.add("unknown")
    log.warning("unknown task=%s id=%s queue=%s body=%s", name, id, routing(message), body_text(message))


@signals.task_rejected.connect
def on_rejected(message=None, **_):
    COUNTERS.add("rejected")
    log.warning("rejected queue=%s body=%s", routing(message), body_text(message))


@app.task(name=TASK)
def log_message(*args, **kwargs):
    log.info("message args=%s kwargs=%s", json.dumps(args), json.dumps(kwargs, sort_keys=True))
    return None


class MetricsHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        text = COUNTERS.exposition().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *_):
        pass


@signals.worker_ready.connect
def on_ready(**_):
    port = int(env("WORKER_METRICS_PORT", "0"))
    if port:
        server = ThreadingHTTPServer((env("WORKER_METRICS_ADDRESS", "0.0.0.0"), port), MetricsHandler)
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        log.info("metrics on port %d", port)
    log.info("ready: %s on %s", node_name(), ",".join(QUEUES))


def ping():
    """Exit 0 when this container's worker answers a ping through the broker."""
    replies = app.control.ping(destination=[node_name()], timeout=5.0)
    alive = any(node_name() in reply for reply in replies)
    print("pong" if alive else f"no answer from {node_name()}")
    return 0 if alive else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["ping"]:
        sys.exit(ping())
    sys.exit("usage: python -m message_logger ping")
