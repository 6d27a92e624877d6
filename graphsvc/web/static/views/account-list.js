// Every account the key may see, a page at a time, each leading to its account view.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { useQuery } from '../query.js';
import { accountHref } from '../router.js';
import { Answer } from '../components/status.js';
import { count, label } from '../format.js';

const ACCOUNTS = `query AccountList($after: String, $isTarget: Boolean) {
  accounts(first: 25, after: $after, isTarget: $isTarget, orderBy: "name") {
    totalCount
    edges { node { id name domain industry isTarget tier stage owner { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function AccountList() {
  // The cursors of the pages before this one, so "Previous" can go back (cursors only go forward).
  const [cursors, setCursors] = useState([null]);
  const [targetsOnly, setTargetsOnly] = useState(false);
  const [id, setId] = useState('');
  const accounts = useQuery(ACCOUNTS, { after: cursors.at(-1), isTarget: targetsOnly ? true : null });
  const open = (event) => {
    event.preventDefault();
    if (id.trim()) location.hash = accountHref(id.trim());
  };
  const filter = (event) => {
    setTargetsOnly(event.target.checked);
    setCursors([null]);
  };
  return html`
    <div class="view-title">
      <h2>Accounts</h2>
      <form class="inline" onSubmit=${open}>
        <label>Account id <input name="account-id" value=${id} onInput=${(e) => setId(e.target.value)} placeholder="acc-00001" /></label>
        <button type="submit">Open</button>
      </form>
    </div>
    <label class="check"><input type="checkbox" checked=${targetsOnly} onChange=${filter} /> Target accounts only</label>
    <${Answer} result=${accounts} render=${({ accounts: page }) => html`
      <table class="accounts">
        <thead><tr><th>Account</th><th>Domain</th><th>Industry</th><th>Target</th><th>Stage</th><th>Owner</th></tr></thead>
        <tbody>${page.edges.map(({ node }) => html`<tr data-account=${node.id}>
          <td><a href=${accountHref(node.id)}>${node.name}</a></td>
          <td>${node.domain}</td>
          <td>${label(node.industry)}</td>
          <td>${node.isTarget ? `tier ${node.tier ?? '—'}` : ''}</td>
          <td>${label(node.stage)}</td>
          <td>${node.owner?.name}</td>
        </tr>`)}</tbody>
      </table>
      <div class="pager">
        <button disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <span>page ${cursors.length} of ${count(Math.ceil(page.totalCount / 25))} · ${count(page.totalCount)} accounts</span>
        <button disabled=${!page.pageInfo.hasNextPage} onClick=${() => setCursors([...cursors, page.pageInfo.endCursor])}>Next</button>
      </div>
    `} />
  `;
}
