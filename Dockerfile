# Ringg call pipeline: one image for both processes.
#   receiver (default): node dist/src/main.js receiver
#   worker:             node dist/src/main.js worker   (docker-compose.yml overrides the command)
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Toolchain for native modules (better-sqlite3) in case no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN npm run build

# ---- prod-deps: production dependencies only (native modules built here, not in runtime) -------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# CA roots for TLS connections made outside Node's bundled store (Temporal Cloud via the core bridge).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Code and dependencies stay root-owned (read-only to the app); only data/ is writable.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Pre-create the data dirs owned by `node` so fresh named volumes mounted here inherit that owner.
RUN mkdir -p /app/data/spool /app/data/recordings \
 && chown -R node:node /app/data
USER node
EXPOSE 3000
# Heap limits as in `npm run start:receiver`: the receiver holds little, and they keep its RSS near 120 MB.
CMD ["node", "--max-old-space-size=96", "--max-semi-space-size=8", "dist/src/main.js", "receiver"]
