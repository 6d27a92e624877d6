// The dashboard's only way to the server: the public GraphQL API at /graphql, over HTTP POST for
// queries and mutations and over WebSocket (graphql-transport-ws) for subscriptions.
import { createClient } from 'graphql-ws';

// sessionStorage, not localStorage: the key is forgotten when the tab closes.
const KEY_STORAGE = 'graphsvc.apiKey';
export const UNAUTHENTICATED = 'graphsvc:unauthenticated';

export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join('; '));
    this.codes = errors.map((error) => error.extensions?.code);
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

function authorization() {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Runs one GraphQL operation; resolves to its data, rejects with an ApiError on any error. */
export async function graphql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...authorization() },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401) {
    // The page asks for a key (again) wherever the refusal came from.
    window.dispatchEvent(new Event(UNAUTHENTICATED));
    throw new ApiError([{ message: 'an API key is needed', extensions: { code: 'UNAUTHENTICATED' } }]);
  }
  const body = await response.json();
  if (body.errors?.length) throw new ApiError(body.errors);
  return body.data;
}

/**
 * Subscribes over WebSocket; calls onData with each result's data and onState with 'live' or
 * 'closed' as the connection comes and goes (it reconnects by itself). Returns the function that
 * unsubscribes and closes the connection.
 */
export function subscribe(query, variables, { onData, onState }) {
  const client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    // Browsers cannot set headers on a WebSocket: the key travels in connection_init's payload.
    connectionParams: authorization,
    lazy: false,
    retryAttempts: Infinity,
    // A refused key (4401, 4403) stays refused: retry only connections lost on the way.
    shouldRetry: (event) => ![4401, 4403].includes(event?.code),
    on: { connected: () => onState('live'), closed: () => onState('closed') },
  });
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => (result.errors?.length ? onState('closed') : onData(result.data)),
      error: () => onState('closed'),
      complete: () => onState('closed'),
    },
  );
  return () => {
    unsubscribe();
    client.dispose();
  };
}
