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

# Writable by the server user, for the embedded database when no DATABASE_URL is given.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 2567
CMD ["npm", "start"]
