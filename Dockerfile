# The browser demo, bundled with the development packages (esbuild, Phaser); only its output is kept.
FROM node:22-slim AS demo
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY client-demo ./client-demo
RUN node client-demo/build.ts

# What runs: production packages, the code, its data files (characters, blocklist) and the demo.
FROM node:22-slim
WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Development packages
# (type definitions, the compiler, a second copy of Node) are not needed to run: Node
# strips the types at load time.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
COPY characters ./characters
COPY moderation ./moderation
COPY scripts/mint-token.ts ./scripts/mint-token.ts
COPY --from=demo /app/client-demo/dist ./client-demo/dist

# Writable by the server user, for the embedded database when no DATABASE_URL is given.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 2567
# glibc's fixed trim threshold: with its default, which grows as large blocks are freed, memory that
# compiling PGlite's WASM freed on helper threads stayed resident, about 55 MB of the embedded
# default's idle RSS (npm run bench:idle-rss). Memory writes, recalls and first chunks timed the same.
ENV MALLOC_TRIM_THRESHOLD_=131072
# Node itself, not npm: `docker stop` sends SIGTERM to this process, and npm does not pass it on,
# so the server would never drain its replies and would be killed after the grace period.
STOPSIGNAL SIGTERM
CMD ["node", "src/index.ts"]
