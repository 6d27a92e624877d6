// The account's recent activity: what its people (contacts and matched leads) did in the last 90 days,
// newest first, with the points the scoring model gives each engagement (before decay).
import { html } from '../../html.js';
import { useQuery } from '../../query.js';
import { Answer } from '../../components/status.js';
import { count, dateTime, decimal, label } from '../../format.js';

const SHOWN = 20;
const WINDOW_DAYS = 90;
// Names of the people at the account, so each row says who; one with more people than a page shows its id.
const PEOPLE = 100;

const ACTIVITY = `query AccountActivity($id: ID!, $first: Int!, $windowDays: Int!, $people: Int!) {
  account(id: $id) {
    engagements(first: $first, windowDays: $windowDays) {
      totalCount
      edges { node { id personId type detail campaign occurredAt points } }
    }
    contacts(first: $people) { edges { node { id name } } }
    leads(first: $people) { edges { node { id name } } }
  }
}`;

function names(account) {
  const people = [...account.leads.edges, ...account.contacts.edges].map(({ node }) => [node.id, node.name]);
  return new Map(people);
}

function Engagement({ engagement, who }) {
  return html`<tr data-engagement=${engagement.id}>
    <td data-metric="who">${who ?? engagement.personId}</td>
    <td data-metric="what">${label(engagement.type)}${engagement.detail ? html`<small> ${engagement.detail}</small>` : ''}</td>
    <td data-metric="when" data-at=${engagement.occurredAt}>${dateTime(engagement.occurredAt)}</td>
    <td class="num" data-metric="points">${decimal(engagement.points)}</td>
  </tr>`;
}

export function ActivityPanel({ id }) {
  const result = useQuery(ACTIVITY, { id, first: SHOWN, windowDays: WINDOW_DAYS, people: PEOPLE });
  return html`<section class="panel" data-section="activity">
    <h3>Recent activity</h3>
    <${Answer} result=${result} render=${({ account }) => {
      const { engagements } = account;
      const who = names(account);
      return html`
        <p data-metric="engagement-count">${count(engagements.totalCount)} engagements in the last ${WINDOW_DAYS} days${engagements.totalCount > SHOWN ? `, the newest ${SHOWN} shown` : ''}</p>
        <table>
          <thead><tr><th>Who</th><th>What</th><th>When</th><th class="num">Points</th></tr></thead>
          <tbody>${engagements.edges.map(({ node }) => html`<${Engagement} engagement=${node} who=${who.get(node.personId)} />`)}</tbody>
        </table>`;
    }} />
  </section>`;
}
