// Coverage heatmap across target accounts: accounts × buying roles, so single-threaded accounts
// and missing roles stand out at a glance. A table, not a canvas chart: every cell is a
// categorical state with names behind it, which text, links and tooltips carry better.
import { useMemo, useState } from 'preact/hooks';
import { html } from '../html.js';
import { useAllPages } from '../query.js';
import { accountHref, accountListHref } from '../router.js';
import { Failure, Loading } from '../components/status.js';
import { count, label, percent } from '../format.js';
import { roleState } from './account/committee.js';

const TARGET_COVERAGE = `query CoverageHeatmap($after: String) {
  accounts(isTarget: true, first: 50, after: $after) {
    edges { node {
      id name tier stage
      coverage {
        coverage engagedCoverage engagedContacts singleThreaded
        roles { role required known engaged contacts { name } }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

// Single-threaded accounts first, then the least engaged committees: where to act first.
function byRisk(a, b) {
  return (
    Number(b.coverage.singleThreaded) - Number(a.coverage.singleThreaded) ||
    a.coverage.engagedCoverage - b.coverage.engagedCoverage ||
    a.name.localeCompare(b.name)
  );
}

function Cell({ role }) {
  if (!role) return html`<td class="cell not-in-template" data-state="not-in-template" title="not in this account's committee template"></td>`;
  const state = roleState(role);
  const names = role.contacts.map((contact) => contact.name).join(', ');
  return html`<td class=${`cell ${state}${role.required ? '' : ' optional'}`} data-role=${role.role} data-state=${state}
    title=${`${label(role.role)}: ${state}${names ? ` (${names})` : ''}`}>${role.contacts.length || ''}</td>`;
}

// Committee templates differ by segment, so the columns are every role any template lists.
function allRoles(accounts) {
  return [...new Set(accounts.flatMap((account) => account.coverage.roles.map((role) => role.role)))];
}

function Heatmap({ accounts }) {
  const roles = allRoles(accounts);
  return html`<table class="heatmap">
    <thead><tr>
      <th>Account</th><th class="num">Tier</th>
      ${roles.map((role) => html`<th class="role-name"><a href=${accountListHref({ isTarget: true, missingRole: role, orderBy: '-score' })}
        title=${`Target accounts missing a ${label(role)}, best score first`}><span>${label(role)}</span></a></th>`)}
      <th class="num">Engaged contacts</th><th class="num">Engaged coverage</th>
    </tr></thead>
    <tbody>${accounts.map((account) => html`<tr data-account=${account.id} data-single-threaded=${account.coverage.singleThreaded}>
      <td><a href=${accountHref(account.id)}>${account.name}</a></td>
      <td class="num">${account.tier ?? '—'}</td>
      ${roles.map((name) => html`<${Cell} role=${account.coverage.roles.find((role) => role.role === name)} />`)}
      <td class=${`num${account.coverage.singleThreaded ? ' single' : ''}`} data-metric="engaged-contacts">
        ${count(account.coverage.engagedContacts)}${account.coverage.singleThreaded ? ' · single-threaded' : ''}</td>
      <td class="num" data-metric="engaged-coverage">${percent(account.coverage.engagedCoverage)}</td>
    </tr>`)}</tbody>
  </table>`;
}

export function CoverageView() {
  const targets = useAllPages(TARGET_COVERAGE, {}, (data) => data.accounts);
  const [singleOnly, setSingleOnly] = useState(false);
  const sorted = useMemo(() => targets.nodes && [...targets.nodes].sort(byRisk), [targets.nodes]);
  const shown = sorted && (singleOnly ? sorted.filter((account) => account.coverage.singleThreaded) : sorted);
  const single = sorted?.filter((account) => account.coverage.singleThreaded).length;
  return html`
    <div class="view-title">
      <h2>Coverage <small>target accounts × buying roles</small></h2>
      <label class="check"><input type="checkbox" name="single-only" checked=${singleOnly} onChange=${(e) => setSingleOnly(e.target.checked)} /> Single-threaded only</label>
    </div>
    ${targets.error && html`<${Failure} error=${targets.error} />`}
    ${targets.loading && html`<${Loading} what="Loading every target account's committee" />`}
    ${sorted && html`
      <p data-metric="summary"><strong>${count(single)}</strong> of ${count(sorted.length)} target accounts are single-threaded (at most one engaged contact).
        <a data-link="single-threaded-list" href=${accountListHref({ isTarget: true, singleThreaded: true, orderBy: '-score' })}>List them, best score first</a>
        (as the last recompute stored them); the role headers list the accounts missing each role.</p>
      <p class="legend"><span class="cell engaged">engaged</span> <span class="cell known">known, not engaged</span>
        <span class="cell missing">missing</span> <span class="cell missing optional">missing, not required</span>
        <span class="cell not-in-template">not in the account's template</span> · numbers: contacts holding the role · last 90 days</p>
      ${shown.length ? html`<${Heatmap} accounts=${shown} />` : html`<p>None.</p>`}
    `}
  `;
}
