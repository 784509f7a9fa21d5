# syntax=docker/dockerfile:1
# Multi-stage image of ML Lens Reviewer. The build stage compiles TypeScript with the dev
# dependencies; the runtime stage holds only production dependencies and the compiled code, and
# runs as an unprivileged user. Today it runs the command line (`docker run IMAGE scan /repo`);
# the GitHub App entry point is added by the App work.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY rules ./rules
COPY templates ./templates
USER node
ENTRYPOINT ["node", "/app/bin/ml-lens.js"]
CMD ["--help"]
