// Reading the API from components: the state of one query, re-run when its variables change.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { graphql } from './api.js';

/** { data, error, loading, reload } of a GraphQL query. */
export function useQuery(query, variables = {}) {
  const [state, setState] = useState({ loading: true });
  const [version, setVersion] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    // Keep showing the previous answer while the next one loads, so the page does not jump.
    setState((previous) => ({ data: previous.data, loading: true }));
    graphql(query, variables).then(
      (data) => current && setState({ data, loading: false }),
      (error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [query, key, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}

/** Every page of a connection, fetched in turn; `select` picks the connection out of the data. */
export function useAllPages(query, variables, select) {
  const [state, setState] = useState({ loading: true });
  const key = JSON.stringify(variables);
  useEffect(() => {
    let current = true;
    setState({ loading: true });
    (async () => {
      const nodes = [];
      let after = null;
      do {
        const page = select(await graphql(query, { ...variables, after }));
        nodes.push(...page.edges.map((edge) => edge.node));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after && current);
      return nodes;
    })().then(
      (nodes) => current && setState({ nodes, loading: false }),
      (error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [query, key]);
  return state;
}
