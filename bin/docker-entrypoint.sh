#!/bin/sh
# The image's entry point: the GitHub App's server by default, the command line when the first
# argument is one of its commands, so the image is a CI step as it is:
#
#   docker run --rm -v "$PWD:/repo" ml-lens scan /repo
#   docker run --rm -v "$PWD:/repo" -w /repo ml-lens review --base origin/main
#   docker run -p 3000:3000 -e APP_ID=... ml-lens            # the App
#   docker run -e REDIS_URL=... -e APP_ID=... ml-lens worker  # a worker of the queue on Redis
#
# Anything else is run as given (`docker run ml-lens sh`).
set -e
app="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in
  "" | server) exec node "$app/dist/server.js" ;;
  worker) exec node "$app/dist/worker.js" ;;
  review | scan | rules | explain | export-lens | schema | help | --help | -h | --version | -v) exec node "$app/bin/ml-lens.js" "$@" ;;
  *) exec "$@" ;;
esac
