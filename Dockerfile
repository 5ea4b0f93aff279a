# The `poglytics` command in a container: simulator, local pipeline roles, migrate, query.
# The ingester has its own smaller image: services/ingester/Dockerfile.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY core ./core
COPY services ./services
COPY lambdas ./lambdas
USER node
ENTRYPOINT ["node", "bin/poglytics.js"]
CMD ["--help"]
