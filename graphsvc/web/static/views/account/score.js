// The account's engagement score and its explanation: the people and subsidiaries whose points make
// it up (SPEC §6).
import { useMemo } from 'preact/hooks';
import { html } from '../../html.js';
import { useQuery } from '../../query.js';
import { accountHref } from '../../router.js';
import { ChartCanvas, COLOURS } from '../../components/chart.js';
import { Answer } from '../../components/status.js';
import { decimal } from '../../format.js';

const SCORE = `query AccountScore($id: ID!) {
  account(id: $id) {
    score { engagement rolledUp fit total contributions(first: 10) { sourceId kind points weight path } }
  }
}`;

// The field that names a contributor of each kind; `$ID` becomes the contributor's variable.
const NAMED = {
  contact: 'contact(id: $ID) { name title }',
  lead: 'lead(id: $ID) { name title }',
  account: 'account(id: $ID) { name }',
};

/**
 * One request naming every contributor: an alias per contribution, with its id as a variable.
 * Contributions carry ids only, and a score explained by names is the one people read.
 */
function namesQuery(contributions) {
  const named = contributions
    .map(({ kind, sourceId }, i) => ({ kind, sourceId, alias: `s${i}` }))
    .filter(({ kind }) => kind in NAMED);
  const declarations = named.map(({ alias }) => `$${alias}: ID!`).join(', ');
  const fields = named.map(({ kind, alias }) => `${alias}: ${NAMED[kind].replace('$ID', `$${alias}`)}`).join(' ');
  return {
    query: `query ContributorNames(${declarations}) { ${fields} }`,
    variables: Object.fromEntries(named.map(({ alias, sourceId }) => [alias, sourceId])),
  };
}

function Contributions({ contributions }) {
  const { query, variables } = useMemo(() => namesQuery(contributions), [contributions]);
  const names = useQuery(query, variables);
  const nameOf = (i) => names.data?.[`s${i}`]?.name ?? contributions[i].sourceId;
  const chart = useMemo(
    () => ({
      data: {
        labels: contributions.map((_, i) => nameOf(i)),
        datasets: [{ label: 'Points', data: contributions.map((c) => c.points), backgroundColor: COLOURS.abm }],
      },
      options: { indexAxis: 'y', plugins: { legend: { display: false } } },
    }),
    [contributions, names.data],
  );
  return html`
    <${ChartCanvas} type="bar" ...${chart} height=${Math.max(120, 28 * contributions.length)}
      label="The largest contributions to the account's score, in points" />
    <table class="contributions">
      <thead><tr><th>Source</th><th>Kind</th><th class="num">Points</th><th class="num">Role weight</th><th>Path</th></tr></thead>
      <tbody>${contributions.map((c, i) => html`<tr data-source=${c.sourceId}>
        <td>${c.kind === 'account' ? html`<a href=${accountHref(c.sourceId)}>${nameOf(i)}</a>` : nameOf(i)}
          ${names.data?.[`s${i}`]?.title && html`<small> ${names.data[`s${i}`].title}</small>`}</td>
        <td>${c.kind}</td>
        <td class="num" data-metric="points">${decimal(c.points)}</td>
        <td class="num" data-metric="weight">${decimal(c.weight)}</td>
        <td class="path">${c.path.join(' → ')}</td>
      </tr>`)}</tbody>
    </table>`;
}

export function ScorePanel({ id }) {
  const score = useQuery(SCORE, { id });
  return html`<section class="panel" data-section="score">
    <h3>Score</h3>
    <${Answer} result=${score} render=${({ account: { score: s } }) => html`
      <div class="figures">
        <div class="figure" data-metric="total"><span class="value">${decimal(s.total)}</span><span class="title">total = ½ fit + ½ min(100, rolled up)</span></div>
        <div class="figure" data-metric="fit"><span class="value">${decimal(s.fit)}</span><span class="title">ICP fit</span></div>
        <div class="figure" data-metric="engagement"><span class="value">${decimal(s.engagement)}</span><span class="title">own engagement</span></div>
        <div class="figure" data-metric="rolled-up"><span class="value">${decimal(s.rolledUp)}</span><span class="title">rolled up with subsidiaries</span></div>
      </div>
      ${s.contributions.length
        ? html`<${Contributions} contributions=${s.contributions} />`
        : html`<p>No engagement has scored yet.</p>`}
    `} />
  </section>`;
}
