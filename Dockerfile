# syntax=docker/dockerfile:1
# Build: compile TypeScript and generate the Prisma client.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Migrations: the package's bin (`service-platform migrate`), into the module's schema.
FROM build AS migrate
ENV NODE_ENV=production
CMD ["npm", "run", "db:migrate"]

# Runtime of the demo host app, as an unprivileged user. The package's `dependencies` are the
# library's only; the demo's own (HTTP platforms, JWT, logging...) are devDependencies so that
# host apps installing the package do not get them: install both here.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 5000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
