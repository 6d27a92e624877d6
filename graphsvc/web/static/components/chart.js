// A Chart.js chart as a Preact component: drawn once on mount, updated in place when its data
// changes, destroyed on unmount.
import { useEffect, useRef } from 'preact/hooks';
import { Chart, registerables } from 'chart.js';
import { html } from '../html.js';

Chart.register(...registerables);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font');
// Charts appear in screenshots and tests right after loading, not mid-animation.
Chart.defaults.animation = false;

export const COLOURS = {
  traditional: '#5b7db1',
  abm: '#2f9e77',
  tiers: ['#1b5e8c', '#3f8fc4', '#8cc0e3', '#b8b8b8', '#e3e3e3'],
};

/** A chart; `label` is read aloud in its place, since a canvas has no text of its own. */
export function ChartCanvas({ type, data, options, label, height = 260 }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    chart.current = new Chart(canvas.current, { type, data, options: { maintainAspectRatio: false, ...options } });
    return () => chart.current.destroy();
  }, [type]);
  useEffect(() => {
    chart.current.data = data;
    chart.current.options = { maintainAspectRatio: false, ...options };
    chart.current.update();
  }, [data, options]);
  return html`<div class="chart" style=${{ height: `${height}px` }}>
    <canvas ref=${canvas} role="img" aria-label=${label}></canvas>
  </div>`;
}
