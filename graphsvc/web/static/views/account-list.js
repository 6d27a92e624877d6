// Every account the key may see, filtered and sorted by the API, a page at a time, each leading to its
// account view. The filters and the order live in the URL (#/accounts?tier=1&orderBy=-score), so a
// list can be bookmarked and other views (coverage) link into it.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { useQuery } from '../query.js';
import { accountHref, accountListHref, useListParams } from '../router.js';
import { Answer } from '../components/status.js';
import { count, decimal, label, percent } from '../format.js';

const ACCOUNTS = `query AccountList($after: String, $orderBy: String, $isTarget: Boolean, $search: String, $tier: Int,
    $industry: String, $minScore: Float, $maxCoverage: Float, $singleThreaded: Boolean, $missingRole: String,
    $withChange: Boolean!) {
  accounts(first: 25, after: $after, orderBy: $orderBy, isTarget: $isTarget, search: $search, tier: $tier,
           industry: $industry, minScore: $minScore, maxCoverage: $maxCoverage, singleThreaded: $singleThreaded,
           missingRole: $missingRole) {
    totalCount
    edges { node {
      id name domain industry isTarget tier stage owner { name }
      score { total } coverage { coverage }
      scorecard @include(if: $withChange) { engagementChange }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const ROLES = ['ECONOMIC_BUYER', 'DECISION_MAKER', 'CHAMPION', 'TECHNICAL_EVALUATOR', 'INFLUENCER', 'END_USER'];

// The sortable columns: the order a first click asks for, and the other way round on a second.
const SORTS = {
  name: ['name', '-name'],
  score: ['-score', 'score'],
  coverage: ['coverage', '-coverage'],
  engagementChange: ['-engagementChange'],
};

// The URL's filters as the API's variables (numbers and booleans parsed; coverage is typed in percent).
function variables(params) {
  const number = (name) => (params.get(name) === null ? null : Number(params.get(name)));
  const flag = (name) => (params.get(name) === null ? null : params.get(name) === 'true');
  return {
    orderBy: params.get('orderBy') ?? 'name',
    isTarget: flag('isTarget'),
    search: params.get('search'),
    tier: number('tier'),
    industry: params.get('industry'),
    minScore: number('minScore'),
    maxCoverage: params.get('maxCoverage') === null ? null : number('maxCoverage') / 100,
    singleThreaded: flag('singleThreaded'),
    missingRole: params.get('missingRole'),
  };
}

function SortHeader({ column, title, order, setOrder, className = '' }) {
  const [first, second] = SORTS[column];
  const active = order === first || order === second;
  const next = order === first && second ? second : first;
  const arrow = !active ? '' : order.startsWith('-') ? ' ↓' : ' ↑';
  return html`<th class=${className} data-sort=${column} aria-sort=${!active ? 'none' : order.startsWith('-') ? 'descending' : 'ascending'}>
    <button type="button" class="sort" onClick=${() => setOrder(next)}>${title}${arrow}</button></th>`;
}

function Filters({ params }) {
  const apply = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name) => String(form.get(name) ?? '').trim();
    location.hash = accountListHref({
      orderBy: params.get('orderBy'),
      isTarget: form.get('targets-only') ? 'true' : null,
      search: value('search'),
      tier: value('tier'),
      industry: value('industry'),
      minScore: value('min-score'),
      maxCoverage: value('max-coverage'),
      singleThreaded: value('single-threaded'),
      missingRole: value('missing-role'),
    });
  };
  const submit = (event) => event.currentTarget.form.requestSubmit();
  // Keyed by the URL, so the fields show the filters in force after a link or "Clear".
  return html`<form class="filters" key=${params.toString()} onSubmit=${apply}>
    <label>Search <input name="search" value=${params.get('search') ?? ''} placeholder="name or domain" /></label>
    <label>Tier <select name="tier" value=${params.get('tier') ?? ''} onChange=${submit}>
      <option value="">any</option>${[1, 2, 3].map((tier) => html`<option value=${tier}>${tier}</option>`)}</select></label>
    <label>Industry <input name="industry" value=${params.get('industry') ?? ''} size="12" /></label>
    <label>Score ≥ <input name="min-score" type="number" min="0" max="100" step="any" value=${params.get('minScore') ?? ''} size="5" /></label>
    <label>Coverage ≤ <input name="max-coverage" type="number" min="0" max="100" step="any" value=${params.get('maxCoverage') ?? ''} size="5" />%</label>
    <label>Single-threaded <select name="single-threaded" value=${params.get('singleThreaded') ?? ''} onChange=${submit}>
      <option value="">any</option><option value="true">yes</option><option value="false">no</option></select></label>
    <label>Missing role <select name="missing-role" value=${params.get('missingRole') ?? ''} onChange=${submit}>
      <option value="">any</option>${ROLES.map((role) => html`<option value=${role}>${label(role)}</option>`)}</select></label>
    <label class="check"><input type="checkbox" name="targets-only" checked=${params.get('isTarget') === 'true'} onChange=${submit} /> Target accounts only</label>
    <button type="submit">Apply</button>
    <a href=${accountListHref({ orderBy: params.get('orderBy') })}>Clear</a>
  </form>`;
}

export function AccountList() {
  const params = useListParams();
  const filters = variables(params);
  // The cursors of the pages before this one, so "Previous" can go back (cursors only go forward); a new
  // filter or order starts again from the first page.
  const [pages, setPages] = useState({ for: params.toString(), cursors: [null] });
  const cursors = pages.for === params.toString() ? pages.cursors : [null];
  const setCursors = (next) => setPages({ for: params.toString(), cursors: next });
  const withChange = filters.orderBy === '-engagementChange';
  const accounts = useQuery(ACCOUNTS, { ...filters, after: cursors.at(-1), withChange });
  const [id, setId] = useState('');
  const open = (event) => {
    event.preventDefault();
    if (id.trim()) location.hash = accountHref(id.trim());
  };
  const setOrder = (orderBy) => {
    location.hash = accountListHref({ ...Object.fromEntries(params), orderBy });
  };
  const sort = { order: filters.orderBy, setOrder };
  return html`
    <div class="view-title">
      <h2>Accounts</h2>
      <form class="inline" onSubmit=${open}>
        <label>Account id <input name="account-id" value=${id} onInput=${(e) => setId(e.target.value)} placeholder="acc-00001" /></label>
        <button type="submit">Open</button>
      </form>
    </div>
    <${Filters} params=${params} />
    <${Answer} result=${accounts} render=${({ accounts: page }) => html`
      <table class="accounts">
        <thead><tr>
          <${SortHeader} column="name" title="Account" ...${sort} />
          <th>Domain</th><th>Industry</th><th>Target</th><th>Stage</th><th>Owner</th>
          <${SortHeader} column="score" title="Score" className="num" ...${sort} />
          <${SortHeader} column="coverage" title="Coverage" className="num" ...${sort} />
          <${SortHeader} column="engagementChange" title="Engagement change" className="num" ...${sort} />
        </tr></thead>
        <tbody>${page.edges.map(({ node }) => html`<tr data-account=${node.id}>
          <td><a href=${accountHref(node.id)}>${node.name}</a></td>
          <td>${node.domain}</td>
          <td>${label(node.industry)}</td>
          <td>${node.isTarget ? `tier ${node.tier ?? '—'}` : ''}</td>
          <td>${label(node.stage)}</td>
          <td>${node.owner?.name}</td>
          <td class="num" data-metric="score">${decimal(node.score.total)}</td>
          <td class="num" data-metric="coverage">${percent(node.coverage.coverage)}</td>
          <td class="num" data-metric="engagement-change">${node.scorecard ? percent(node.scorecard.engagementChange) : ''}</td>
        </tr>`)}</tbody>
      </table>
      ${page.edges.length === 0 && html`<p>No account matches.</p>`}
      <p class="legend">Sorted and filtered by the stored figures: score and engagement change (against the previous 90 days) as the last recompute left them, coverage and roles as of the last change to the account's contacts; the columns show them now.</p>
      <div class="pager">
        <button disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <span>page ${cursors.length} of ${count(Math.max(1, Math.ceil(page.totalCount / 25)))} · ${count(page.totalCount)} accounts</span>
        <button disabled=${!page.pageInfo.hasNextPage} onClick=${() => setCursors([...cursors, page.pageInfo.endCursor])}>Next</button>
      </div>
    `} />
  `;
}
