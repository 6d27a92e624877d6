// Team SLA compliance (SPEC §9) by routing path: how quickly sales take up the leads routed to them.
import { useMemo } from 'preact/hooks';
import { html } from '../../html.js';
import { ChartCanvas, COLOURS } from '../../components/chart.js';
import { count, decimal, percent } from '../../format.js';

const PATHS = [
  ['ABM', 'ABM'],
  ['TRADITIONAL', 'Traditional'],
];

const COLUMNS = [
  ['assignments', 'Assigned', count],
  ['share_accepted_within_sla', 'Accepted within SLA', percent],
  ['median_hours_to_accept', 'Median hours to accept', decimal],
  ['pending', 'Pending', count],
  ['overdue', 'Overdue', count],
  ['escalations', 'Escalated', count],
  ['rejections', 'Rejected', count],
  ['recycles', 'Recycled', count],
];

export function SlaCompliance({ sla }) {
  const rows = [...PATHS.map(([key, name]) => [key, name, sla.by_path[key]]), ['total', 'All', sla.total]];
  const chart = useMemo(
    () => ({
      data: {
        labels: PATHS.map(([, name]) => name),
        datasets: [
          {
            label: 'Accepted within SLA (%)',
            data: PATHS.map(([key]) => (sla.by_path[key].share_accepted_within_sla ?? 0) * 100),
            backgroundColor: [COLOURS.abm, COLOURS.traditional],
          },
        ],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, max: 100 } } },
    }),
    [sla],
  );
  return html`<section class="panel" data-section="sla">
    <h3>SLA compliance <small>decisions made in the window</small></h3>
    <div class="chart-beside-table">
      <${ChartCanvas} type="bar" ...${chart} height=${200} label="Share of routed leads accepted within their SLA, by path" />
      <table>
        <thead><tr><th>Path</th>${COLUMNS.map(([, title]) => html`<th class="num">${title}</th>`)}</tr></thead>
        <tbody>
          ${rows.map(([key, name, figures]) => html`<tr data-path=${key}>
            <td>${name}</td>
            ${COLUMNS.map(([metric, , format]) => html`<td class="num" data-metric=${metric}>${format(figures[metric])}</td>`)}
          </tr>`)}
        </tbody>
      </table>
    </div>
  </section>`;
}
