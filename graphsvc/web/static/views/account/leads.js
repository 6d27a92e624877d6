// The account's leads, newest first, with their scores and where routing sent them (SPEC §9).
import { html } from '../../html.js';
import { useQuery } from '../../query.js';
import { Answer } from '../../components/status.js';
import { count, dateTime, decimal, label } from '../../format.js';

const SHOWN = 50;

const LEADS = `query AccountLeads($id: ID!, $first: Int!) {
  account(id: $id) {
    leads(first: $first) {
      totalCount
      edges { node {
        id name title status
        score { total grade }
        routing { status path assignee { name } slaDueAt }
      } }
    }
  }
}`;

function Lead({ lead }) {
  const routing = lead.routing;
  return html`<tr data-lead=${lead.id}>
    <td>${lead.name ?? lead.id}<small> ${lead.title}</small></td>
    <td data-metric="status">${label(lead.status)}</td>
    <td class="num" data-metric="score">${decimal(lead.score.total)}</td>
    <td data-metric="grade">${lead.score.grade}</td>
    <td data-metric="routing">${routing ? `${label(routing.status)} · ${label(routing.path)}` : 'not routed'}</td>
    <td data-metric="assignee">${routing?.assignee?.name ?? '—'}</td>
    <td data-metric="sla-due">${routing ? dateTime(routing.slaDueAt) : '—'}</td>
  </tr>`;
}

export function LeadsPanel({ id }) {
  const result = useQuery(LEADS, { id, first: SHOWN });
  return html`<section class="panel" data-section="leads">
    <h3>Leads</h3>
    <${Answer} result=${result} render=${({ account: { leads } }) => html`
      <p data-metric="lead-count">${count(leads.totalCount)} leads${leads.totalCount > SHOWN ? `, the newest ${SHOWN} shown` : ''}</p>
      <table>
        <thead><tr><th>Lead</th><th>Status</th><th class="num">Score</th><th>Grade</th><th>Routing</th><th>Assignee</th><th>SLA due</th></tr></thead>
        <tbody>${leads.edges.map(({ node }) => html`<${Lead} lead=${node} />`)}</tbody>
      </table>
    `} />
  </section>`;
}
