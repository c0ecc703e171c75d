# One image per ODX service, built from the monorepo root:
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=<name> .
# docker-compose.yml does this for each service (see the x-odx-service block).
FROM node:24-bookworm-slim

ARG SERVICE
RUN test -n "$SERVICE" || (echo "build arg SERVICE is required (a folder under services/)" >&2 && exit 1)

WORKDIR /app
# Whole workspaces: npm ci needs every workspace's package.json.
COPY package.json package-lock.json ./
COPY packages/ packages/
COPY schemas/ schemas/
COPY services/ services/
COPY infra/simulators/ infra/simulators/
# Dev dependencies are needed: services run TypeScript through tsx.
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force
RUN test -f "services/$SERVICE/src/main.ts" || (echo "services/$SERVICE/src/main.ts not found" >&2 && exit 1)

ENV NODE_ENV=production \
    SERVICE=$SERVICE
USER node
CMD ["sh", "-c", "exec node --import tsx \"services/$SERVICE/src/main.ts\""]
