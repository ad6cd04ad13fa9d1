# sgaudit REST service: `docker build -t sgaudit .` then
#   docker run -p 8080:8080 -e SGAUDIT_API_TOKEN=... -v sgaudit-data:/var/lib/sgaudit sgaudit
# Build steps mirror package.json (checked by test/dockerfile.test.ts, as no Docker engine runs in CI).
ARG NODE_VERSION=20

# ---- build: all dependencies, TypeScript compiled to dist/
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its addon when no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would run tsc before the sources are copied; the addon is built explicitly.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY providers ./providers
COPY rules ./rules
COPY scripts ./scripts
RUN npm run build

# ---- prod-deps: production dependencies only, native addon built for this platform
FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 && npm cache clean --force

# ---- runtime: no compiler, no dev dependencies, not root
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SGAUDIT_HOST=0.0.0.0 \
    SGAUDIT_PORT=8080 \
    SGAUDIT_DATA_DIR=/var/lib/sgaudit \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json openapi.yaml ./
COPY examples ./examples
COPY deploy ./deploy
# The node image's unprivileged user (uid 1000) owns only the data directory.
RUN mkdir -p /var/lib/sgaudit && chown node:node /var/lib/sgaudit
USER node
VOLUME /var/lib/sgaudit
EXPOSE 8080
# slim images have no curl; Node's fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SGAUDIT_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/bin.js"]
CMD ["serve"]
