# ats-auth container image. Not exercised by the tests (no Docker engine in CI); see docs/operations.md.
# Build: docker build -t ats-auth .
# Run:   docker run -p 8081:8081 -v ats-auth-data:/data ats-auth

# Node 24, the newest LTS line; the service also supports Node 20 and 22 (package.json engines; CI
# runs the suite on 20 and 24).
# 1. Build: dev dependencies (TypeScript) and a C toolchain for better-sqlite3; `npm ci` runs the
#    `prepare` script, which compiles src/ into dist/.
FROM node:24-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund

# 2. Production dependencies only. --ignore-scripts skips `prepare` (no TypeScript here); the one
#    native module is then built explicitly.
FROM build AS deps
RUN rm -rf node_modules && npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3

# 3. Runtime: no compiler, no dev dependencies, not root.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    ATS_AUTH_HOST=0.0.0.0 \
    ATS_AUTH_PORT=8081 \
    ATS_AUTH_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8081
# The slim image has no curl; Node's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.ATS_AUTH_PORT||8081)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself (graceful drain, ATS_AUTH_SHUTDOWN_TIMEOUT_MS).
STOPSIGNAL SIGTERM
CMD ["node", "bin/ats-auth.js", "serve"]
