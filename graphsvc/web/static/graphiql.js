// The GraphiQL page served at /graphql (graphsvc/web/graphiql.html). React, ReactDOM and GraphiQL are
// the browser builds in vendor/; queries and mutations go to this address, subscriptions over a
// WebSocket to the same path. GraphiQL sends the headers editor's object both as HTTP headers and as
// the WebSocket's connection_init payload, where graphsvc reads the API key.
const EXAMPLE = `# graphsvc's GraphQL API: type a query, run it with Ctrl-Enter (or the play button).
# With API keys configured, add under Headers below:  {"Authorization": "Bearer <key>"}
#
# {
#   accounts(first: 5) { totalCount edges { node { id name tier } } }
# }
`;

const url = window.location.href.split(/[?#]/)[0];
const subscriptionUrl = url.replace(/^http/, "ws");
const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl });

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery: EXAMPLE, defaultEditorToolsVisibility: "headers" }),
);
