"""A small REST API over PostgreSQL with a Redis cache, and Prometheus metrics.

Configured from the environment only (the compose file sets it): DATABASE_HOST, DATABASE_PORT,
DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD,
CACHE_SECONDS. Passwords arrive as variables filled from secrets when the project starts; no
credential is written in any file.

    GET  /api/health   liveness: {"status": "ok"}
    GET  /api/items    every item, served from the cache for CACHE_SECONDS
    POST /api/items    {"name": "..."} adds one and clears the cache
    GET  /metrics      Prometheus metrics
"""

import json
import logging
import os
import time

import psycopg
import redis
from flask import Flask, Response, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("api")

REQUESTS = Counter("api_requests_total", "HTTP requests", ["method", "endpoint", "status"])
LATENCY = Histogram("api_request_seconds", "HTTP request latency", ["endpoint"])
CACHE_HITS = Counter("api_cache_hits_total", "Answers served from the cache")

CACHE_KEY = "api:items"
CACHE_SECONDS = int(os.environ.get("CACHE_SECONDS", "30"))

app = Flask(__name__)


def database():
    return psycopg.connect(
        host=os.environ["DATABASE_HOST"],
        port=int(os.environ["DATABASE_PORT"]),
        dbname=os.environ["DATABASE_NAME"],
        user=os.environ["DATABASE_USER"],
        password=os.environ["DATABASE_PASSWORD"],
        connect_timeout=3,
    )


def cache():
    return redis.Redis(
        host=os.environ["REDIS_HOST"],
        port=int(os.environ["REDIS_PORT"]),
        password=os.environ["REDIS_PASSWORD"],
        socket_timeout=2,
    )


def ensure_schema():
    with database() as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)")


@app.before_request
def started():
    request.started = time.monotonic()


@app.after_request
def measured(response):
    endpoint = request.url_rule.rule if request.url_rule else "unknown"
    REQUESTS.labels(request.method, endpoint, response.status_code).inc()
    LATENCY.labels(endpoint).observe(time.monotonic() - request.started)
    return response


@app.get("/api/health")
def health():
    return jsonify(status="ok")


@app.get("/api/items")
def items():
    cached = cache().get(CACHE_KEY)
    if cached is not None:
        CACHE_HITS.inc()
        return jsonify(json.loads(cached))
    ensure_schema()
    with database() as connection:
        rows = connection.execute("SELECT id, name FROM items ORDER BY id").fetchall()
    answer = [{"id": row[0], "name": row[1]} for row in rows]
    cache().setex(CACHE_KEY, CACHE_SECONDS, json.dumps(answer))
    return jsonify(answer)


@app.post("/api/items")
def add_item():
    name = (request.get_json(silent=True) or {}).get("name")
    if not isinstance(name, str) or not name:
        return jsonify(error="a JSON body with a non-empty `name` is required"), 400
    ensure_schema()
    with database() as connection:
        row = connection.execute("INSERT INTO items (name) VALUES (%s) RETURNING id", (name,)).fetchone()
    cache().delete(CACHE_KEY)
    log.info("added item %s", row[0])
    return jsonify(id=row[0], name=name), 201


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
