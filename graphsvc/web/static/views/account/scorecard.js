// The account scorecard (SPEC §10): leads, engagement and its change, coverage, stage, pipeline,
// and the account's stage history (every move through the funnel, newest first).
import { html } from '../../html.js';
import { useQuery } from '../../query.js';
import { Answer } from '../../components/status.js';
import { count, dateTime, decimal, label, money, percent } from '../../format.js';

const SCORECARD = `query AccountScorecard($id: ID!) {
  account(id: $id) {
    stageHistory { previous stage at }
    scorecard {
      windowDays leadsAssociated engagedLeads percentEngaged engagementLevel engagementChange
      coverage engagedCoverage stage daysInStage openOpportunities pipelineAmount
    }
  }
}`;

function StageHistory({ changes }) {
  if (!changes.length) return html`<p class="quiet" data-metric="stage-history">Never in the funnel.</p>`;
  return html`<ol class="stage-history" data-metric="stage-history">
    ${[...changes].reverse().map((move) => html`<li data-at=${move.at}>
      ${move.previous ? `${label(move.previous)} → ` : 'entered at '}<strong>${move.stage ? label(move.stage) : 'left the funnel'}</strong>
      <small>${dateTime(move.at)}</small></li>`)}
  </ol>`;
}

function change(fraction) {
  if (fraction == null) return 'no engagement in the previous window';
  return `${fraction >= 0 ? '+' : ''}${percent(fraction)} on the previous window`;
}

export function ScorecardPanel({ id }) {
  const result = useQuery(SCORECARD, { id });
  return html`<section class="panel" data-section="scorecard">
    <h3>Scorecard</h3>
    <${Answer} result=${result} render=${({ account: { scorecard: card, stageHistory } }) => html`
      <dl class="scorecard">
        <div data-metric="leads"><dt>People associated <small>contacts and matched leads</small></dt><dd>${count(card.leadsAssociated)}</dd></div>
        <div data-metric="engaged-leads"><dt>Engaged</dt><dd>${count(card.engagedLeads)} (${percent(card.percentEngaged / 100)})</dd></div>
        <div data-metric="engagement"><dt>Engagement, last ${card.windowDays} days</dt><dd>${decimal(card.engagementLevel)} <small>${change(card.engagementChange)}</small></dd></div>
        <div data-metric="coverage"><dt>Coverage / engaged</dt><dd>${percent(card.coverage)} / ${percent(card.engagedCoverage)}</dd></div>
        <div data-metric="stage"><dt>Stage</dt><dd>${label(card.stage)}${card.daysInStage != null ? ` for ${count(card.daysInStage)} days` : ''}</dd></div>
        <div data-metric="pipeline"><dt>Open opportunities</dt><dd>${count(card.openOpportunities)} · ${money(card.pipelineAmount)}</dd></div>
      </dl>
      <h4>Stage history</h4>
      <${StageHistory} changes=${stageHistory} />
    `} />
  </section>`;
}
