#!/usr/bin/env bash
# Rebuilds crates/web/static/vendor/echarts.min.js, the custom Apache ECharts bundle the web crate
# embeds (deployments run on closed networks, so nothing comes from a CDN), and its license file
# crates/web/static/vendor/ECHARTS-LICENSE.txt.
#
# For maintainers only: run it by hand after changing the versions or the module list below, then
# commit both files. Tests and CI never call it (it needs the npm registry).
# Needs node and npm. Works in a throwaway directory; nothing is written into the repository
# except the two files above.
#
# The bundle contains only what the site draws: choropleth maps of communes from GeoJSON
# (registerMap + 'map' series + continuous and piecewise visualMap), line charts with a target
# markLine, sparklines, bar charts; tooltip, grid, legend and title. No dataZoom, toolbox, dataset
# transforms, etc. Anything else must be added to entry.mjs below.
#
# Renderer: SVG by default, because pages must print cleanly (SVG prints as vectors; canvas charts
# print as bitmaps at screen resolution). ECHARTS_RENDERER=Canvas builds the same bundle with the
# canvas renderer (about 8 KB smaller, 4 KB gzipped).
set -euo pipefail

ECHARTS_VERSION=5.6.0   # pulls zrender 5.6.1 and tslib 2.3.0, both pinned exactly by echarts itself
ESBUILD_VERSION=0.28.2
RENDERER="${ECHARTS_RENDERER:-SVG}"
case "$RENDERER" in Canvas | SVG) ;; *) echo "ECHARTS_RENDERER must be Canvas or SVG" >&2; exit 2 ;; esac

repo="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="$repo/crates/web/static/vendor"
work="$(mktemp -d "${TMPDIR:-/tmp}/build-echarts.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > package.json <<EOF
{
  "name": "echarts-custom-build",
  "private": true,
  "type": "module",
  "dependencies": {
    "echarts": "$ECHARTS_VERSION",
    "esbuild": "$ESBUILD_VERSION"
  }
}
EOF
# esbuild's binary comes from its optional dependency @esbuild/<platform>; its install script is
# not needed.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error

installed() { node -e "console.log(JSON.parse(require('fs').readFileSync('node_modules/$1/package.json','utf8')).version)"; }
[ "$(installed echarts)" = "$ECHARTS_VERSION" ] || { echo "echarts is not $ECHARTS_VERSION" >&2; exit 1; }
[ "$(installed esbuild)" = "$ESBUILD_VERSION" ] || { echo "esbuild is not $ESBUILD_VERSION" >&2; exit 1; }
ZRENDER_VERSION="$(installed zrender)"

# The entry must be an ES module (.mjs): treated as CommonJS, esbuild wraps every module in lazy
# initialisers and the bundle grows by about 24 KB.
cat > entry.mjs <<EOF
import {
  version, use, init, dispose, getInstanceByDom, getInstanceById, connect, disconnect,
  registerMap, getMap, registerTheme, registerLocale, graphic, format, time, throttle
} from 'echarts/core';
import { MapChart, LineChart, BarChart } from 'echarts/charts';
import {
  TitleComponent, TooltipComponent, GridComponent, LegendComponent, MarkLineComponent,
  VisualMapComponent
} from 'echarts/components';
import { ${RENDERER}Renderer } from 'echarts/renderers';

use([
  MapChart, LineChart, BarChart,
  TitleComponent, TooltipComponent, GridComponent, LegendComponent, MarkLineComponent,
  VisualMapComponent,
  ${RENDERER}Renderer
]);

window.echarts = {
  version, use, init, dispose, getInstanceByDom, getInstanceById, connect, disconnect,
  registerMap, getMap, registerTheme, registerLocale, graphic, format, time, throttle
};
EOF

banner="/*! Apache ECharts $ECHARTS_VERSION (ZRender $ZRENDER_VERSION), custom build, not the official dist | modules: MapChart (with Geo), LineChart, BarChart, TitleComponent, TooltipComponent, GridComponent, LegendComponent, MarkLineComponent, VisualMapComponent (continuous+piecewise), ${RENDERER}Renderer | exposes window.echarts = {version, use, init, dispose, getInstanceByDom, getInstanceById, connect, disconnect, registerMap, getMap, registerTheme, registerLocale, graphic, format, time, throttle} | built by scripts/build-echarts.sh with esbuild $ESBUILD_VERSION | Apache-2.0, see ECHARTS-LICENSE.txt */"

mkdir -p "$out_dir"
./node_modules/.bin/esbuild entry.mjs \
  --bundle --format=iife --minify --target=es2017 --platform=browser \
  --define:process.env.NODE_ENV='"production"' \
  --legal-comments=none \
  --banner:js="$banner" \
  --log-level=warning \
  --outfile="$out_dir/echarts.min.js"

{
  echo "Apache ECharts $ECHARTS_VERSION, as bundled in echarts.min.js (custom build, see scripts/build-echarts.sh)."
  echo "The bundle also contains ZRender $ZRENDER_VERSION (BSD-3-Clause) and tslib helpers (0BSD);"
  echo "ECharts' own LICENSE names d3-derived code (BSD-3-Clause) in src/util/number.ts, which is included."
  echo
  echo "==================================== NOTICE ===================================="
  echo
  cat node_modules/echarts/NOTICE
  echo
  echo
  echo "=================================== LICENSE ===================================="
  echo
  cat node_modules/echarts/LICENSE
  echo
  echo "======================= licenses/LICENSE-d3 (from ECharts) ======================"
  echo
  cat node_modules/echarts/licenses/LICENSE-d3
  echo
  echo "=========================== ZRender $ZRENDER_VERSION LICENSE ============================"
  echo
  cat node_modules/zrender/LICENSE
  echo
  echo "============================= tslib LICENSE (0BSD) =============================="
  echo
  cat node_modules/tslib/LICENSE.txt
} > "$out_dir/ECHARTS-LICENSE.txt"

size="$(wc -c < "$out_dir/echarts.min.js")"
gz="$(gzip -9c "$out_dir/echarts.min.js" | wc -c)"
echo "wrote $out_dir/echarts.min.js ($size bytes, $gz gzipped) and ECHARTS-LICENSE.txt"
