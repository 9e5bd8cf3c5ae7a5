#!/usr/bin/env bash
# npm run bench: starts the system if it is not running (as npm start does), then runs the
# benchmarks in bench/ and prints their figures. Leaves the system running (npm stop).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$DIR/start.sh" >/dev/null
source "$DIR/env.sh"
node "$DIR/../bench/pipeline-overhead.mjs"
