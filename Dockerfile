# The reelflow worker image: Node 20, ffmpeg from Debian, the captions' font (CAPTION_FONT, named
# rather than left to fontconfig's dependencies), the project's dependencies.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lockfile (made where the registry has only Linux builds of @swc/core)
# lacks other platforms' optional packages, which npm ci treats as out of sync.
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .
CMD ["npm", "run", "worker"]
