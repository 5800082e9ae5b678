/**
 * @module results/charts/render
 * Server-side rendering of vega-lite specs: vega-lite → vega → SVG (no canvas, `renderer: 'none'`),
 * and SVG → PNG with resvg (system fonts).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';

/** vega-lite's and vega's own loggers write to the console; charts stay silent (their warnings are cosmetic). */
const quiet = {
  level(): number {
    return 0;
  },
  error(...args: unknown[]): never {
    throw new Error(args.map(String).join(' '));
  },
  warn() {
    return quiet;
  },
  info() {
    return quiet;
  },
  debug() {
    return quiet;
  },
};
const quietVega = vega.logger(vega.None);

/** Renders a vega-lite spec to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec, { logger: quiet }).spec), { renderer: 'none' });
  view.logger(quietVega);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG document to PNG bytes (white background, 2× scale for legibility). */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
