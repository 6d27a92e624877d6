// The GraphiQL page served at /graphql (graphsvc/web/graphiql.html). React, ReactDOM and GraphiQL are
// the browser builds in vendor/; queries and mutations go to this address, subscriptions over a
// WebSocket to the same path. GraphiQL sends the headers editor's object both as HTTP headers and as
// the WebSocket's connection_init payload, where graphsvc reads the API key.
const EXAMPLE = `# graphsvc's GraphQL API: type a query, run it with Ctrl-Enter (or the play button).
# With API keys configured, add under Headers below:  {"Authorization": "Bearer <key>"}
# then re-fetch the schema (the arrows on the left) for the docs and completion.
#
# {
#   accounts(first: 5) { totalCount edges { node { id name tier } } }
# }
`;

const url = window.location.href.split(/[?#]/)[0];
const subscriptionUrl = url.replace(/^http/, "ws");
const overHttpOrSocket = GraphiQL.createFetcher({ url, subscriptionUrl });

// GraphiQL tells a subscription (WebSocket) from a query (HTTP) by the document its editor parsed, which
// it does not always have (it was missing before the schema had loaded): parse the query then.
function documentOf(query) {
  try {
    return GraphiQL.GraphQL.parse(query);
  } catch {
    return undefined; // not GraphQL: the server says what is wrong
  }
}
const fetcher = (params, options) =>
  overHttpOrSocket(params, options?.documentAST ? options : { ...options, documentAST: documentOf(params.query) });

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery: EXAMPLE, defaultEditorToolsVisibility: "headers" }),
);
