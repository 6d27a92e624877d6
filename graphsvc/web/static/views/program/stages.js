// Accounts by funnel stage and target tier: how many accounts sit at each stage, and how the target
// accounts among them split by tier.
import { useMemo } from 'preact/hooks';
import { html } from '../../html.js';
import { useAllPages, useQuery } from '../../query.js';
import { ChartCanvas, COLOURS } from '../../components/chart.js';
import { Answer } from '../../components/status.js';
import { count, label } from '../../format.js';
import { ACCOUNT_STAGES } from './funnels.js';

// One request counts every stage, all accounts and target accounts, through aliases.
const STAGE_COUNTS = `query AccountsByStage {
  all: accounts { totalCount }
  targets: accounts(isTarget: true) { totalCount }
  ${ACCOUNT_STAGES.map((stage) => `
  all_${stage}: accounts(stage: ${stage}) { totalCount }
  targets_${stage}: accounts(stage: ${stage}, isTarget: true) { totalCount }`).join('')}
}`;

const TARGET_ACCOUNTS = `query TargetAccountTiers($after: String) {
  accounts(isTarget: true, first: 100, after: $after) {
    edges { node { id tier stage } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const TIERS = [1, 2, 3, null];
const NOT_IN_FUNNEL = 'NONE';

function tierName(tier) {
  return tier == null ? 'No tier' : `Tier ${tier}`;
}

/** counts[stage][tier]: target accounts at each stage (NONE: not in the funnel) by tier. */
function byStageAndTier(targets) {
  const counts = Object.fromEntries([...ACCOUNT_STAGES, NOT_IN_FUNNEL].map((stage) => [stage, new Map()]));
  for (const { stage, tier } of targets) {
    const tiers = counts[stage ?? NOT_IN_FUNNEL];
    tiers.set(tier, (tiers.get(tier) ?? 0) + 1);
  }
  return counts;
}

function StageTable({ totals, tiers }) {
  const stages = [...ACCOUNT_STAGES, NOT_IN_FUNNEL];
  // The API filters by stage but not by "no stage": those are what the stages leave over.
  const notInFunnel = (prefix) => totals[prefix].totalCount - ACCOUNT_STAGES.reduce((sum, s) => sum + totals[`${prefix}_${s}`].totalCount, 0);
  const cell = (prefix, stage) => (stage === NOT_IN_FUNNEL ? notInFunnel(prefix) : totals[`${prefix}_${stage}`].totalCount);
  const chart = useMemo(
    () => ({
      data: {
        labels: stages.map((stage) => (stage === NOT_IN_FUNNEL ? 'Not in funnel' : label(stage))),
        datasets: [
          ...TIERS.map((tier, i) => ({
            label: `Target, ${tierName(tier).toLowerCase()}`,
            data: stages.map((stage) => tiers[stage].get(tier) ?? 0),
            backgroundColor: COLOURS.tiers[i],
          })),
          { label: 'Not a target', data: stages.map((stage) => cell('all', stage) - cell('targets', stage)), backgroundColor: COLOURS.tiers[4] },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    }),
    [totals, tiers],
  );
  return html`<div class="chart-beside-table">
    <${ChartCanvas} type="bar" ...${chart} label="Accounts at each stage, stacked by target tier" />
    <table>
      <thead><tr>
        <th>Stage</th><th class="num">Accounts</th><th class="num">Target accounts</th>
        ${TIERS.map((tier) => html`<th class="num">${tierName(tier)}</th>`)}
      </tr></thead>
      <tbody>
        ${stages.map((stage) => html`<tr data-stage=${stage}>
          <td>${stage === NOT_IN_FUNNEL ? 'Not in funnel' : label(stage)}</td>
          <td class="num" data-metric="accounts">${count(cell('all', stage))}</td>
          <td class="num" data-metric="targets">${count(cell('targets', stage))}</td>
          ${TIERS.map((tier) => html`<td class="num" data-metric=${`tier-${tier ?? 'none'}`}>${count(tiers[stage].get(tier) ?? 0)}</td>`)}
        </tr>`)}
        <tr data-stage="all" class="total">
          <td>All</td>
          <td class="num" data-metric="accounts">${count(totals.all.totalCount)}</td>
          <td class="num" data-metric="targets">${count(totals.targets.totalCount)}</td>
          ${TIERS.map((tier) => html`<td class="num" data-metric=${`tier-${tier ?? 'none'}`}>${count(stages.reduce((sum, s) => sum + (tiers[s].get(tier) ?? 0), 0))}</td>`)}
        </tr>
      </tbody>
    </table>
  </div>`;
}

export function AccountsByStage() {
  const totals = useQuery(STAGE_COUNTS);
  const targets = useAllPages(TARGET_ACCOUNTS, {}, (data) => data.accounts);
  const tiers = useMemo(() => targets.nodes && byStageAndTier(targets.nodes), [targets.nodes]);
  const result = { error: totals.error ?? targets.error, data: tiers && totals.data };
  return html`<section class="panel" data-section="stages">
    <h3>Accounts by stage and tier</h3>
    <${Answer} result=${result} render=${(data) => html`<${StageTable} totals=${data} tiers=${tiers} />`} />
  </section>`;
}
