// Target-account recommendations (SPEC §10): accounts ranked by ICP fit, lookalike similarity to
// won customers and engagement surge, with a suggested tier a strategist can accept (setTarget).
import { useState } from 'preact/hooks';
import { graphql } from '../../api.js';
import { html } from '../../html.js';
import { useQuery } from '../../query.js';
import { accountHref } from '../../router.js';
import { Answer, Failure } from '../../components/status.js';
import { decimal } from '../../format.js';

const TARGET_ACCOUNTS = `query TargetRecommendations($first: Int!, $tierCapacities: [Int!]!) {
  targetAccounts(first: $first, tierCapacities: $tierCapacities) {
    account { id name isTarget tier } priority fit lookalike surge tier reasons
  }
}`;

const SET_TARGET = `mutation AcceptTarget($accountId: ID!, $tier: Int!) {
  setTarget(accountId: $accountId, isTarget: true, tier: $tier) { id isTarget tier }
}`;

const SIZES = [10, 25, 50];

function parseCapacities(text) {
  const capacities = text.split(',').map((part) => Number(part.trim()));
  return capacities.length > 0 && capacities.every((n) => Number.isInteger(n) && n >= 0) ? capacities : null;
}

function Recommendation({ rank, recommendation, onAccept }) {
  const { account, tier } = recommendation;
  const accepted = account.isTarget && account.tier === tier;
  return html`<tr data-account=${account.id}>
    <td class="num">${rank}</td>
    <td><a href=${accountHref(account.id)}>${account.name}</a>
      ${account.isTarget && html`<span class="badge" data-metric="current-tier">target, tier ${account.tier ?? '—'}</span>`}</td>
    <td class="num" data-metric="priority">${decimal(recommendation.priority, 2)}</td>
    <td class="num" data-metric="fit">${decimal(recommendation.fit, 2)}</td>
    <td class="num" data-metric="lookalike">${decimal(recommendation.lookalike, 2)}</td>
    <td class="num" data-metric="surge">${decimal(recommendation.surge, 2)}</td>
    <td class="num" data-metric="tier">${tier}</td>
    <td><ul class="reasons">${recommendation.reasons.map((reason) => html`<li>${reason}</li>`)}</ul></td>
    <td>${accepted
      ? html`<span class="done">accepted</span>`
      : html`<button onClick=${() => onAccept(account, tier)}>Make tier ${tier} target</button>`}</td>
  </tr>`;
}

export function TargetRecommendations() {
  const [capacitiesText, setCapacitiesText] = useState('10, 50, 500');
  const [tierCapacities, setTierCapacities] = useState([10, 50, 500]);
  const [first, setFirst] = useState(SIZES[0]);
  const [failure, setFailure] = useState(null);
  const recommendations = useQuery(TARGET_ACCOUNTS, { first, tierCapacities });
  const apply = (event) => {
    event.preventDefault();
    const capacities = parseCapacities(capacitiesText);
    if (capacities) setTierCapacities(capacities);
  };
  const accept = async (account, tier) => {
    setFailure(null);
    try {
      await graphql(SET_TARGET, { accountId: account.id, tier });
      recommendations.reload();
    } catch (error) {
      setFailure(error);
    }
  };
  return html`<section class="panel" data-section="targets">
    <h3>Recommended target accounts</h3>
    <form class="inline" onSubmit=${apply}>
      <label>Show
        <select name="first" value=${first} onChange=${(e) => setFirst(Number(e.target.value))}>
          ${SIZES.map((size) => html`<option value=${size}>top ${size}</option>`)}
        </select>
      </label>
      <label>Accounts per tier (1, 2, 3)
        <input name="tier-capacities" value=${capacitiesText} onInput=${(e) => setCapacitiesText(e.target.value)}
          aria-invalid=${parseCapacities(capacitiesText) ? null : 'true'} />
      </label>
      <button type="submit">Re-rank</button>
    </form>
    ${failure && html`<${Failure} error=${failure} />`}
    <${Answer} result=${recommendations} render=${({ targetAccounts }) => html`<table>
      <thead><tr>
        <th class="num">#</th><th>Account</th><th class="num">Priority</th><th class="num">Fit</th>
        <th class="num">Lookalike</th><th class="num">Surge</th><th class="num">Tier</th><th>Reasons</th><th></th>
      </tr></thead>
      <tbody>${targetAccounts.map((recommendation, i) => html`<${Recommendation}
        rank=${i + 1} recommendation=${recommendation} onAccept=${accept} />`)}</tbody>
    </table>`} />
  </section>`;
}
