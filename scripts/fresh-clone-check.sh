#!/usr/bin/env bash
# The README's two commands on a fresh clone, as a newcomer runs them (issue 13):
#   1. clone into a temporary directory; `npm ci && npm start` with no DATABASE_URL, REDIS_URL or
#      secrets (an embedded PostgreSQL, development secrets); run the README's first request
#      verbatim (register a platform, read it back); stop the app with SIGTERM;
#   2. `npm test` there, for one suite, with no PostgreSQL reachable: the run starts its own.
# The ports are free ones, substituted for the README's localhost:3000.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
app_pid=''
cleanup() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then kill -TERM -- "-$app_pid" 2>/dev/null || true; sleep 3; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

git clone -q "$repo" "$work/clone"
cd "$work/clone"
http_port=$(free_port); grpc_port=$(free_port); metrics_port=$(free_port); pg_port=$(free_port)

echo "==> npm ci && npm start (no DATABASE_URL, no REDIS_URL), REST on :$http_port"
setsid env -u DATABASE_URL -u REDIS_URL -u ENCRYPTION_KEYS -u AUTH_JWT_SECRET -u NODE_ENV \
  PORT="$http_port" GRPC_PORT="$grpc_port" METRICS_PORT="$metrics_port" EMBEDDED_POSTGRES_PORT="$pg_port" \
  bash -c 'npm ci --no-audit --no-fund && npm start' > "$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 600); do
  grep -q 'Listening: REST' "$work/app.log" && break
  if ! kill -0 "$app_pid" 2>/dev/null; then tail -50 "$work/app.log"; echo 'the app did not start'; exit 1; fi
  sleep 1
done
grep -q 'Listening: REST' "$work/app.log" || { tail -50 "$work/app.log"; echo 'the app did not start in 10 minutes'; exit 1; }
grep 'Listening: REST' "$work/app.log" | tail -1
grep -q 'EMBEDDED DEVELOPMENT PostgreSQL' "$work/app.log"

echo "==> the README's first request"
first_request=$(node -e "
  const readme = require('fs').readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## A first request'));
  const block = /\`\`\`sh\n([\s\S]*?)\`\`\`/.exec(section);
  if (!block) { console.error('no sh block in the README first request'); process.exit(1); }
  process.stdout.write(block[1]);")
env -u AUTH_JWT_SECRET -u NODE_ENV bash -c "set -euo pipefail
${first_request//localhost:3000/127.0.0.1:$http_port}" | tee "$work/answer.json"
grep -q '"client_secret": "\*\*\*\*\*\*\*\*"' "$work/answer.json"

echo '==> SIGTERM: the app and its embedded PostgreSQL stop'
kill -TERM -- "-$app_pid"
for _ in $(seq 1 30); do kill -0 "$app_pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$app_pid" 2>/dev/null; then echo 'the app did not stop'; exit 1; fi
app_pid=''
if pg_isready -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; then echo 'the embedded PostgreSQL is still up'; exit 1; fi

echo '==> npm test (one suite) with no PostgreSQL reachable: an embedded one for the run'
env -u DATABASE_URL TEST_DATABASE_ADMIN_URL=postgresql://postgres@127.0.0.1:1/postgres \
  npm test -- test/e2e/register-platform.e2e.spec.ts 2>&1 | tee "$work/test.log" | tail -8
grep -q 'starting an embedded PostgreSQL' "$work/test.log"
echo 'Fresh clone: OK'
