// My queue for reps: the open routing decisions assigned to the caller, soonest SLA first, with
// countdowns, accept and reject, kept current by the routingDecisions subscription.
import { useEffect, useState } from 'preact/hooks';
import { graphql, subscribe } from '../api.js';
import { html } from '../html.js';
import { useQuery } from '../query.js';
import { accountHref } from '../router.js';
import { Answer, Failure } from '../components/status.js';
import { count, countdown, dateTime, decimal, label } from '../format.js';

const QUEUE = `query MyQueue {
  myQueue(first: 100) {
    totalCount
    edges { node {
      id path rule score reasons decidedAt slaDueAt
      assignee { name }
      lead { id name title company score { grade } match { account { id name } } }
    } }
  }
}`;

const DECISIONS = `subscription RoutingDecisions {
  routingDecisions { id status lead { name } assignee { name } }
}`;

const ACCEPT = `mutation AcceptRouting($id: ID!) { acceptRouting(decisionId: $id) { id status } }`;
const REJECT = `mutation RejectRouting($id: ID!, $reason: String!) { rejectRouting(decisionId: $id, reason: $reason) { id status } }`;

/** The current time, ticking every second, for the SLA countdowns. */
function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

// How often the queue is reloaded while the live feed is down.
const POLL_MS = 30000;

/**
 * Reloads the queue whenever a routing decision changes, or every POLL_MS while the feed is not
 * live; returns the feed's state and its latest news.
 */
function useDecisionFeed(reload) {
  const [feed, setFeed] = useState({ state: 'connecting', news: null });
  useEffect(
    () =>
      subscribe(DECISIONS, {}, {
        onData: ({ routingDecisions: decision }) => {
          setFeed({ state: 'live', news: decision });
          reload();
        },
        onState: (state) => setFeed((previous) => ({ ...previous, state })),
      }),
    [],
  );
  useEffect(() => {
    if (feed.state === 'live') return undefined;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [feed.state]);
  return feed;
}

function Decision({ decision, now, onDone }) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState(null);
  const act = async (mutation, variables) => {
    setFailure(null);
    try {
      await graphql(mutation, variables);
      onDone(decision.id);
    } catch (error) {
      setFailure(error);
    }
  };
  const reject = (event) => {
    event.preventDefault();
    if (reason.trim()) act(REJECT, { id: decision.id, reason: reason.trim() });
  };
  const { lead } = decision;
  const overdue = decision.slaDueAt != null && Date.parse(decision.slaDueAt) < now;
  return html`<tr data-decision=${decision.id} class=${overdue ? 'overdue' : ''}>
    <td>${lead.name ?? lead.id}<small> ${lead.title}</small></td>
    <td>${lead.match ? html`<a href=${accountHref(lead.match.account.id)}>${lead.match.account.name}</a>` : lead.company}</td>
    <td data-metric="assignee">${decision.assignee?.name ?? 'nobody'}</td>
    <td data-metric="path">${label(decision.path)}</td>
    <td class="num" data-metric="score">${decimal(decision.score)} <small>${lead.score.grade}</small></td>
    <td><ul class="reasons">${decision.reasons.map((reason) => html`<li>${reason}</li>`)}</ul></td>
    <td data-metric="decided">${dateTime(decision.decidedAt)}</td>
    <td data-metric="sla" title=${dateTime(decision.slaDueAt)}>${countdown(decision.slaDueAt, now)}</td>
    <td class="actions">
      ${rejecting
        ? html`<form class="inline" onSubmit=${reject}>
            <input name="reason" placeholder="Why?" value=${reason} onInput=${(e) => setReason(e.target.value)} />
            <button type="submit">Reject</button>
            <button type="button" class="quiet" onClick=${() => setRejecting(false)}>Cancel</button>
          </form>`
        : html`<button onClick=${() => act(ACCEPT, { id: decision.id })}>Accept</button>
            <button class="quiet" onClick=${() => setRejecting(true)}>Reject…</button>`}
      ${failure && html`<${Failure} error=${failure} />`}
    </td>
  </tr>`;
}

export function QueueView() {
  const queue = useQuery(QUEUE);
  const feed = useDecisionFeed(queue.reload);
  const now = useNow();
  // Decisions accepted or rejected here leave the list at once, before the reload confirms it.
  const [done, setDone] = useState(new Set());
  const finish = (id) => {
    setDone((previous) => new Set(previous).add(id));
    queue.reload();
  };
  return html`
    <div class="view-title">
      <h2>My queue</h2>
      <span class=${`feed ${feed.state}`} data-feed=${feed.state}>${feed.state === 'live' ? 'live' : 'not live: reloading every 30 s'}</span>
    </div>
    ${feed.news && html`<p class="news" data-news=${feed.news.id}>
      ${feed.news.lead.name}: ${label(feed.news.status)}${feed.news.assignee ? `, ${feed.news.assignee.name}` : ''}</p>`}
    <${Answer} result=${queue} render=${({ myQueue }) => {
      const open = myQueue.edges.map(({ node }) => node).filter((decision) => !done.has(decision.id));
      return html`
        <p data-metric="open">${count(myQueue.totalCount)} open routing decisions${myQueue.totalCount > myQueue.edges.length ? `, the ${myQueue.edges.length} due soonest shown` : ''}</p>
        ${open.length === 0
          ? html`<p>Nothing waiting for you.</p>`
          : html`<table class="queue">
              <thead><tr><th>Lead</th><th>Account</th><th>Assignee</th><th>Path</th><th class="num">Score</th><th>Why</th><th>Decided</th><th>SLA</th><th></th></tr></thead>
              <tbody>${open.map((decision) => html`<${Decision} key=${decision.id} decision=${decision} now=${now} onDone=${finish} />`)}</tbody>
            </table>`}
      `;
    }} />
  `;
}
