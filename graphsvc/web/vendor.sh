#!/usr/bin/env bash
# Copies the browser builds of the npm packages pinned in package.json, with their licences, into
# static/vendor/. The dashboard and the GraphiQL page (graphiql.html) have no build step: run this after changing a version, and commit
# static/vendor/ (the page must work without internet, so nothing is fetched at run time).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
rm -rf static/vendor
copy() {  # copy PACKAGE FILE...: files relative to node_modules/PACKAGE, keeping their sub-folders
  local package=$1; shift
  for file in "$@"; do
    mkdir -p "static/vendor/$package/$(dirname "$file")"
    cp "node_modules/$package/$file" "static/vendor/$package/$file"
  done
}
copy preact LICENSE dist/preact.mjs hooks/dist/hooks.mjs
copy htm LICENSE dist/htm.mjs
copy chart.js LICENSE.md dist/chart.js dist/chunks/index.js
copy @kurkle/color LICENSE dist/color.esm.js
copy graphql-ws LICENSE.md dist/client.js "$(cd node_modules/graphql-ws && ls dist/common-*.js)"
# GraphiQL 4 is the last major with a browser build that needs no bundler (5 loads Monaco's workers); its
# bundle holds graphql-ws and everything else but React 18, the last React with UMD builds.
copy graphiql LICENSE graphiql.min.js graphiql.min.css
copy react LICENSE umd/react.production.min.js
copy react-dom LICENSE umd/react-dom.production.min.js
# Source maps are not shipped: drop the comments that would make a browser ask for them.
find static/vendor -type f \( -name '*.js' -o -name '*.mjs' \) -print0 | xargs -0 sed -i '/^\/\/# sourceMappingURL=/d'
