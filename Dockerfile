# syntax=docker/dockerfile:1
# ML Lens Reviewer: the GitHub App (default command) and the command line, in one image.
#
# The build stage compiles TypeScript with the dev dependencies; the runtime stage holds only the
# production dependencies, the compiled code, the rule catalogue, the templates and app.yml, and
# runs as the unprivileged `node` user, on Node.js 22 (an LTS line; Node.js 20 left support in
# April 2026). The server listens on localhost unless HOST is set: the image sets HOST=0.0.0.0 so
# the port is reachable from outside the container. Reviews run in worker threads, one per core
# the container is given.
#
#   docker build -t ml-lens .
#   docker run -p 3000:3000 -e APP_ID=... -e PRIVATE_KEY="$(base64 -w0 key.pem)" -e WEBHOOK_SECRET=... ml-lens
#   docker run --rm -v "$PWD:/repo" ml-lens scan /repo                         # the command line, as a CI step
#   docker run --rm -v "$PWD:/repo" -w /repo ml-lens review --base origin/main   # a change (needs the history)

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY rules ./rules
COPY scripts/compile-rules.js ./scripts/
# The build compiles the TypeScript and pre-parses the rule catalogue into dist/rules.json.
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
# git is used only by `ml-lens review --repo` (the command line); the App never runs it.
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY rules ./rules
COPY templates ./templates
COPY migrations ./migrations
COPY app.yml ./
# The embedded review history (PGlite) without DATABASE_URL: a folder the node user can write;
# mount a volume there to keep it across containers.
ENV ML_LENS_DATA_DIR=/app/.data
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
# A repository mounted from the host belongs to another user: git must not refuse to read it. In
# the user's global configuration, since our git calls read no system one (GIT_CONFIG_NOSYSTEM);
# what a repository's own configuration could run is switched off on every call
# (src/sources/git-process.ts), which is what the ownership check guards against.
RUN git config --global --add safe.directory '*'
EXPOSE 3000
# The App's server (src/http/webhooks.ts) answers GET /ping with PONG.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop): the server stops taking deliveries and gives running reviews up to
# ML_LENS_SHUTDOWN_MS (default 8 s, inside Docker's default 10 s); one still running is ended
# `neutral` ("Interrupted ... re-run the check"), never left in progress.
STOPSIGNAL SIGTERM
# The server, unless the first argument is a command of the command line (bin/docker-entrypoint.sh).
ENTRYPOINT ["/app/bin/docker-entrypoint.sh"]
CMD []
