# syntax=docker/dockerfile:1
# The `poglytics` command in a container: simulator, local pipeline roles, migrate, query.
# The ingester has its own smaller image: services/ingester/Dockerfile.
# Runs built JavaScript (scripts/bundle.mjs), not TypeScript through tsx; packages load from
# node_modules (better-sqlite3 and the emulators' leveldown are native).
FROM node:22.23.4-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/bundle.mjs scripts/buildViewer.ts ./scripts/
COPY cli ./cli
COPY core ./core
COPY services ./services
COPY web ./web
RUN node scripts/bundle.mjs dist && npm prune --omit=dev --no-audit --no-fund

FROM node:22.23.4-bookworm-slim
# METRICS_HOST, API_HOST: Prometheus and readers of the API reach the container from outside loopback.
# DATA_DIR / SQLITE_PATH: the working folder belongs to root; the state goes to a volume `node` owns.
ENV NODE_ENV=production \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9091 \
    API_HOST=0.0.0.0 \
    API_PORT=8025 \
    DATA_DIR=/var/lib/poglytics \
    SQLITE_PATH=/var/lib/poglytics/poglytics.db
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
RUN mkdir -p /var/lib/poglytics && chown node:node /var/lib/poglytics
VOLUME ["/var/lib/poglytics"]
USER node
EXPOSE 9091 8025
# Serves /healthz on METRICS_PORT in the `local` role; compose gives the simulator its own check.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--enable-source-maps", "dist/poglytics.mjs"]
CMD ["--help"]
