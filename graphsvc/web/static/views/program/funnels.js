// The traditional lead funnel beside the ABM account funnel (SPEC §10), as charts and as the
// tables of numbers behind them.
import { useMemo } from 'preact/hooks';
import { html } from '../../html.js';
import { ChartCanvas, COLOURS } from '../../components/chart.js';
import { count, decimal, label, money, percent } from '../../format.js';

const LEAD_STAGES = [
  ['leads', 'Leads'],
  ['mqls', 'MQLs'],
  ['sent_to_sales', 'Sent to sales'],
  ['sals', 'SALs'],
  ['sqls', 'SQLs'],
  ['opportunities', 'Opportunities'],
  ['won', 'Won'],
];
// Each conversion rate sits on the row of the stage it converts into.
const CONVERSION_INTO = {
  mqls: 'lead_to_mql',
  sent_to_sales: 'mql_to_sent',
  sals: 'sent_to_sal',
  sqls: 'sal_to_sql',
  opportunities: 'sql_to_opportunity',
  won: 'opportunity_to_won',
};
// Lead velocity sits on the row of the stage whose status it advances from.
const ADVANCING_FROM = { leads: 'NEW', mqls: 'MQL', sals: 'SAL', sqls: 'SQL', opportunities: 'OPPORTUNITY' };
export const ACCOUNT_STAGES = ['TARGET', 'AWARE', 'ENGAGED', 'MQA', 'OPPORTUNITY', 'CUSTOMER'];

/** Target accounts at `stage` or beyond it now: the ABM funnel is a snapshot of account stages. */
export function atOrBeyond(byStage, stage) {
  return ACCOUNT_STAGES.slice(ACCOUNT_STAGES.indexOf(stage)).reduce((sum, s) => sum + (byStage[s] ?? 0), 0);
}

function funnelChart(labels, values, colour, what) {
  return {
    data: { labels, datasets: [{ label: what, data: values, backgroundColor: colour }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
  };
}

function TraditionalFunnel({ funnel }) {
  const chart = useMemo(
    () => funnelChart(LEAD_STAGES.map(([, name]) => name), LEAD_STAGES.map(([key]) => funnel[key]), COLOURS.traditional, 'Leads'),
    [funnel],
  );
  return html`<section class="panel" data-funnel="traditional">
    <h3>Traditional funnel <small>leads that reached each stage</small></h3>
    <${ChartCanvas} type="bar" ...${chart} label="Leads reaching each stage of the traditional funnel" />
    <table>
      <thead><tr><th>Stage</th><th class="num">Leads</th><th class="num">Conversion</th><th class="num">Median days to advance</th></tr></thead>
      <tbody>
        ${LEAD_STAGES.map(([key, name]) => html`<tr data-stage=${key}>
          <td>${name}</td>
          <td class="num" data-metric="count">${count(funnel[key])}</td>
          <td class="num" data-metric="conversion">${key in CONVERSION_INTO ? percent(funnel.conversion[CONVERSION_INTO[key]]) : ''}</td>
          <td class="num" data-metric="median-days">${key in ADVANCING_FROM ? decimal(funnel.median_days_to_advance[ADVANCING_FROM[key]]?.median_days) : ''}</td>
        </tr>`)}
      </tbody>
    </table>
  </section>`;
}

function AbmFunnel({ funnel }) {
  const chart = useMemo(
    () => funnelChart(ACCOUNT_STAGES.map(label), ACCOUNT_STAGES.map((s) => atOrBeyond(funnel.by_stage, s)), COLOURS.abm, 'Target accounts'),
    [funnel],
  );
  return html`<section class="panel" data-funnel="abm">
    <h3>ABM funnel <small>target accounts at or beyond each stage</small></h3>
    <${ChartCanvas} type="bar" ...${chart} label="Target accounts at or beyond each stage of the ABM funnel" />
    <table>
      <thead><tr><th>Stage</th><th class="num">At or beyond</th><th class="num">At stage</th><th class="num">Median days to advance</th></tr></thead>
      <tbody>
        ${ACCOUNT_STAGES.map((stage) => html`<tr data-stage=${stage}>
          <td>${label(stage)}</td>
          <td class="num" data-metric="reached">${count(atOrBeyond(funnel.by_stage, stage))}</td>
          <td class="num" data-metric="count">${count(funnel.by_stage[stage])}</td>
          <td class="num" data-metric="median-days">${decimal(funnel.median_days_to_advance[stage]?.median_days)}</td>
        </tr>`)}
      </tbody>
    </table>
  </section>`;
}

function Figure({ name, title, value }) {
  return html`<div class="figure" data-metric=${name}><span class="value">${value}</span><span class="title">${title}</span></div>`;
}

function AbmFigures({ funnel }) {
  return html`<section class="figures" aria-label="ABM program figures">
    <${Figure} name="target-accounts" title="target accounts" value=${count(funnel.target_accounts)} />
    <${Figure} name="percent-engaged" title="of target accounts engaged" value=${percent(funnel.percent_engaged / 100)} />
    <${Figure} name="mean-coverage" title="mean committee coverage" value=${percent(funnel.mean_coverage)} />
    <${Figure} name="mean-engaged-coverage" title="mean engaged coverage" value=${percent(funnel.mean_engaged_coverage)} />
    <${Figure} name="mqa-to-opportunity" title="MQA → opportunity" value=${percent(funnel.mqa_to_opportunity.rate)} />
    <${Figure} name="pipeline" title=${`in ${count(funnel.open_opportunities)} open opportunities`} value=${money(funnel.pipeline_amount)} />
  </section>`;
}

export function Funnels({ traditional, abm }) {
  return html`
    <${AbmFigures} funnel=${abm} />
    <div class="side-by-side">
      <${TraditionalFunnel} funnel=${traditional} />
      <${AbmFunnel} funnel=${abm} />
    </div>
  `;
}
