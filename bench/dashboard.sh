#!/usr/bin/env bash
# Measures the leaders' dashboard at scale (issue 10): generates the
# synthetic data set at scale $SCALE (default 100: about 500,000 enterprises
# and 1,000,000 contracts over 800 units) into a SQLite file and a
# PostgreSQL database, then runs BenchmarkDashboardScale on both: the
# dashboard computed from the maintained aggregates next to plain SQL over
# the raw tables for the same numbers, with the process's peak memory.
#
# Environment: SCALE (default 100), BENCH_DIR (default a new temp folder),
# PGADMIN (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCALE=${SCALE:-100}
DIR=${BENCH_DIR:-$(mktemp -d)}
PGADMIN=${PGADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PGDB=${PGADMIN%%/postgres\?*}/luoshi_bench?sslmode=disable

go build -o "$DIR/luoshi" ./cmd/luoshi
rm -f "$DIR"/scale.db*
echo "== generate scale $SCALE on SQLite"
/usr/bin/time -f "   %e s, peak %M KB" "$DIR/luoshi" demo generate --db "$DIR/scale.db" --scale "$SCALE"
ls -l "$DIR/scale.db"

echo "== generate scale $SCALE on PostgreSQL"
psql "$PGADMIN" -qX -c 'DROP DATABASE IF EXISTS luoshi_bench' -c 'CREATE DATABASE luoshi_bench'
/usr/bin/time -f "   %e s, peak %M KB" "$DIR/luoshi" demo generate --db "$PGDB" --scale "$SCALE"
psql "$PGDB" -qXAt -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('luoshi_bench'))"

echo "== benchmark"
LUOSHI_BENCH_SQLITE="$DIR/scale.db" LUOSHI_BENCH_POSTGRES="$PGDB" \
	go test -run '^$' -bench DashboardScale -benchtime "${BENCHTIME:-5x}" -timeout 60m ./internal/scale
