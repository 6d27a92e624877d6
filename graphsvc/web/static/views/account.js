// Account view for account teams: who the account is, its score and why, its buying committee,
// its scorecard, its place in the corporate tree, its leads with their routing, and its recent activity.
import { html } from '../html.js';
import { useQuery } from '../query.js';
import { Answer } from '../components/status.js';
import { count, label, money } from '../format.js';
import { Hierarchy } from './account/hierarchy.js';
import { ScorePanel } from './account/score.js';
import { CommitteeMap } from './account/committee.js';
import { ScorecardPanel } from './account/scorecard.js';
import { LeadsPanel } from './account/leads.js';
import { ActivityPanel } from './account/activity.js';

const ACCOUNT = `query AccountHeader($id: ID!) {
  account(id: $id) {
    id name domain industry employees annualRevenue country isTarget tier stage
    owner { name email }
    parent { id name }
    ultimateParent { id name }
    children(first: 100) { totalCount edges { node { id name stage } } }
  }
}`;

function Header({ account }) {
  return html`<div class="view-title">
    <h2>${account.name}</h2>
    <dl class="facts">
      <div><dt>Domain</dt><dd>${account.domain ?? '—'}</dd></div>
      <div><dt>Industry</dt><dd>${label(account.industry)}</dd></div>
      <div><dt>Employees</dt><dd>${count(account.employees)}</dd></div>
      <div><dt>Revenue</dt><dd>${money(account.annualRevenue)}</dd></div>
      <div><dt>Country</dt><dd>${account.country ?? '—'}</dd></div>
      <div><dt>Target</dt><dd data-metric="target">${account.isTarget ? `tier ${account.tier ?? '—'}` : 'no'}</dd></div>
      <div><dt>Stage</dt><dd data-metric="stage">${label(account.stage)}</dd></div>
      <div><dt>Owner</dt><dd>${account.owner?.name ?? 'nobody'}</dd></div>
    </dl>
  </div>`;
}

export function AccountView({ id }) {
  const header = useQuery(ACCOUNT, { id });
  return html`<${Answer} result=${header} render=${({ account }) =>
    account
      ? html`<article data-account=${account.id}>
          <${Header} account=${account} />
          <div class="side-by-side">
            <${ScorePanel} id=${id} />
            <${ScorecardPanel} id=${id} />
          </div>
          <${CommitteeMap} id=${id} />
          <${Hierarchy} account=${account} />
          <${LeadsPanel} id=${id} />
          <${ActivityPanel} id=${id} />
        </article>`
      : html`<p class="failure" role="alert">No account ${id}, or this API key may not see it.</p>`} />`;
}
