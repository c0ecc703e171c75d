# One image per ODX service (and per simulator), built from the monorepo root:
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=<name> -t odx/<name> .
# <name> is a folder under services/, or sim-odoo, sim-wms, sim-tms. docker-compose.yml
# does this for each service (see its x-odx-service block).
#
# What the final image holds is decided by scripts/image/layout.ts, the same
# script `npm run image:layout` runs to measure it (docs/deployment.md has the
# figures): the target's src compiled by tsc, each @odx workspace it uses
# compiled the same way, and its production dependencies from package-lock.json.

# ---- build: the whole monorepo with dev dependencies (tsc, tsx), shared by every target ----
FROM node:24-bookworm-slim AS build
WORKDIR /src
# npm ci needs every workspace's package.json; tsc compiles every workspace's src/.
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/ packages/
COPY schemas/ schemas/
COPY services/ services/
COPY infra/simulators/ infra/simulators/
RUN npm ci --include=dev --no-audit --no-fund
COPY scripts/repo-root.ts scripts/repo-root.ts
COPY scripts/image/ scripts/image/
# Every target at once (one tsc run): the layer is the same whichever SERVICE is built, so a
# build of all images compiles once.
RUN node --import tsx scripts/image/layout.ts --out /out --quiet

# ---- runtime: one target's layout, production dependencies only, non-root ----
FROM node:24-bookworm-slim AS runtime
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build arg SERVICE is required (a folder under services/, or sim-odoo, sim-wms, sim-tms)" >&2 && exit 1)
# Folders a service writes (the EDI partner folders, the Odoo simulator's journal), owned by the
# user it runs as: a named volume mounted there starts with this ownership.
RUN install -d -o node -g node /var/lib/odx /var/lib/odx/edi /var/lib/odx/sim
WORKDIR /app
# Owned by root and read-only to the service: it cannot change its own code.
COPY --from=build /out/${SERVICE}/ /app/
ENV NODE_ENV=production \
    ODX_SERVICE_NAME=${SERVICE} \
    ODX_HTTP_HOST=0.0.0.0 \
    ODX_HTTP_PORT=8080 \
    ODX_HEALTHCHECK_URL=http://127.0.0.1:8080/readyz
USER node
EXPOSE 8080
# node:*-slim has neither curl nor wget; Node's fetch does it. Simulators set ODX_HEALTHCHECK_URL to their health route.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch(process.env.ODX_HEALTHCHECK_URL,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# /app/package.json's `main` is the target's dist/.../main.js (services/<name>/dist/main.js for a service).
CMD ["node", "."]
