'use strict';
// The api-ha REST API: `GET /` and `GET /кільце-кільце` each answer a JSON document no other
// answer shares (a fresh UUID), naming the entry point and the server, so that a client behind
// the balancers can tell which server answered. `/health` is for health checks, `/metrics` for
// Prometheus. Node's own `http` module only: nothing to install.
//
// Listens on HOST:PORT from the environment. On SIGTERM it stops accepting connections,
// finishes the requests in flight, then exits: a rolling restart behind a balancer that
// retries refused connections loses no request.

const http = require('node:http');
const os = require('node:os');
const { randomUUID } = require('node:crypto');

const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number(process.env.PORT || 8080);
const SERVER = process.env.SERVER_NAME || os.hostname();
/** The entry points, by their decoded path. */
const ENTRIES = new Set(['/', '/кільце-кільце']);
/** Seconds; Prometheus's default buckets. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Longest wait for requests in flight after SIGTERM. */
const SHUTDOWN_SECONDS = 10;

/** Requests answered, by `path\tstatus`; paths other than the routes count as `other`. */
const answered = new Map();
const latency = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };

function send(response, status, type, body) {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function json(response, status, document) {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(document) + '\n');
}

/** The request's path, percent-decoded; null when it does not decode. */
function decodedPath(url) {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/** A Prometheus label value: backslash, double quote and newline escaped. */
function label(value) {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function metrics() {
  const lines = [
    '# HELP http_requests_total HTTP requests answered, by path and status.',
    '# TYPE http_requests_total counter',
  ];
  for (const [key, count] of [...answered].sort()) {
    const [path, status] = key.split('\t');
    lines.push(`http_requests_total{path="${label(path)}",status="${status}"} ${count}`);
  }
  lines.push(
    '# HELP http_request_duration_seconds Time to answer an HTTP request.',
    '# TYPE http_request_duration_seconds histogram',
  );
  BUCKETS.forEach((bound, i) => {
    lines.push(`http_request_duration_seconds_bucket{le="${bound}"} ${latency.buckets[i]}`);
  });
  lines.push(
    `http_request_duration_seconds_bucket{le="+Inf"} ${latency.count}`,
    `http_request_duration_seconds_sum ${latency.sum}`,
    `http_request_duration_seconds_count ${latency.count}`,
  );
  return lines.join('\n') + '\n';
}

/** Counts the request by route and status, and its latency, once it is answered. */
function observe(route, response, started) {
  response.on('finish', () => {
    const key = `${route}\t${response.statusCode}`;
    answered.set(key, (answered.get(key) || 0) + 1);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) latency.buckets[i] += 1;
    });
    latency.sum += seconds;
    latency.count += 1;
  });
}

function handle(request, response) {
  const started = process.hrtime.bigint();
  const path = decodedPath(request.url);
  const known = path !== null && (ENTRIES.has(path) || path === '/health' || path === '/metrics');
  observe(known ? path : 'other', response, started);
  if (path === null) {
    json(response, 400, { error: 'the path is not valid percent-encoded UTF-8' });
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    json(response, 405, { error: `${request.method} is not allowed`, path });
  } else if (ENTRIES.has(path)) {
    json(response, 200, { id: randomUUID(), entry: path, server: SERVER });
  } else if (path === '/health') {
    send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
  } else if (path === '/metrics') {
    send(response, 200, 'text/plain; version=0.0.4; charset=utf-8', metrics());
  } else {
    json(response, 404, { error: 'not found', path });
  }
}

const server = http.createServer(handle);
// Answer slow clients within bounds instead of holding a connection forever.
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;

server.listen(PORT, HOST, () => {
  console.log(`${SERVER}: listening on http://${HOST.includes(':') ? `[${HOST}]` : HOST}:${PORT}`);
});

process.on('SIGTERM', () => {
  console.log(`${SERVER}: SIGTERM, finishing requests in flight`);
  // close() stops accepting and, once every connection is done, calls back; idle
  // keep-alive connections are closed at once, busy ones after their response.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => {
    console.error(`${SERVER}: requests still in flight after ${SHUTDOWN_SECONDS} s, exiting`);
    process.exit(1);
  }, SHUTDOWN_SECONDS * 1000).unref();
});
