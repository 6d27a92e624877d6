// The buying-committee map (SPEC §7): each buying role with the contacts who hold it, coloured by
// whether the role is engaged, known but quiet, or missing.
import { html } from '../../html.js';
import { useQuery } from '../../query.js';
import { Answer } from '../../components/status.js';
import { count, label, percent } from '../../format.js';

const COVERAGE = `query BuyingCommittee($id: ID!) {
  account(id: $id) {
    coverage {
      template coverage engagedCoverage engagedContacts singleThreaded missingRoles unengagedRoles
      roles { role required weight known engaged contacts { id name title } }
    }
  }
}`;

/** engaged, known (held but nobody engaged in the window) or missing (nobody holds it). */
export function roleState({ known, engaged }) {
  if (engaged) return 'engaged';
  return known ? 'known' : 'missing';
}

function RoleCard({ role }) {
  const state = roleState(role);
  return html`<li class=${`role ${state}${role.required ? '' : ' optional'}`} data-role=${role.role} data-state=${state}>
    <h4>${label(role.role)}</h4>
    <small>${role.required ? `required, weight ${percent(role.weight)}` : 'tracked, not required'} · ${state}</small>
    <ul>
      ${role.contacts.length
        ? role.contacts.map((contact) => html`<li data-contact=${contact.id}><span class="name">${contact.name}</span> <small>${contact.title}</small></li>`)
        : html`<li class="nobody">nobody</li>`}
    </ul>
  </li>`;
}

function Committee({ coverage }) {
  return html`
    <div class="figures">
      <div class="figure" data-metric="coverage"><span class="value">${percent(coverage.coverage)}</span><span class="title">roles known</span></div>
      <div class="figure" data-metric="engaged-coverage"><span class="value">${percent(coverage.engagedCoverage)}</span><span class="title">roles engaged</span></div>
      <div class=${`figure${coverage.singleThreaded ? ' warning' : ''}`} data-metric="engaged-contacts">
        <span class="value">${count(coverage.engagedContacts)}</span>
        <span class="title">${coverage.singleThreaded ? 'engaged contacts: single-threaded' : 'engaged contacts'}</span>
      </div>
    </div>
    <ul class="committee">${coverage.roles.map((role) => html`<${RoleCard} role=${role} />`)}</ul>
    <p class="legend"><span class="role engaged">engaged</span> <span class="role known">known, not engaged</span>
      <span class="role missing">missing</span> · template ${coverage.template}, last 90 days</p>
    ${coverage.missingRoles.length > 0 && html`<p data-metric="missing-roles">Missing: ${coverage.missingRoles.map(label).join(', ')}</p>`}
    ${coverage.unengagedRoles.length > 0 && html`<p data-metric="unengaged-roles">Not engaged: ${coverage.unengagedRoles.map(label).join(', ')}</p>`}
  `;
}

export function CommitteeMap({ id }) {
  const result = useQuery(COVERAGE, { id });
  return html`<section class="panel" data-section="committee">
    <h3>Buying committee</h3>
    <${Answer} result=${result} render=${({ account }) => html`<${Committee} coverage=${account.coverage} />`} />
  </section>`;
}
